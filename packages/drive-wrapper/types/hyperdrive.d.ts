/// <reference types="node" preserve="true" />
// Hand-written declaration for `hyperdrive` 13 (ships no types), typed as far as this project uses it.
declare module 'hyperdrive' {
  import ReadyResource from 'ready-resource'
  import type Corestore from 'corestore'
  import type Hypercore from 'hypercore'
  import type Hyperbee from 'hyperbee'
  import type { EventEmitter } from 'node:events'

  /** Where a file's bytes live in the drive's blobs core. */
  export interface BlobId {
    byteOffset: number
    blockOffset: number
    blockLength: number
    byteLength: number
  }

  export interface HyperdriveEntryValue {
    executable: boolean
    /** The target of a symbolic link, or null for a file. */
    linkname: string | null
    /** The file's content, or null for a symlink. */
    blob: BlobId | null
    metadata: unknown
  }

  /** One file (or symlink) of a drive, as stored in its Hyperbee. */
  export interface HyperdriveEntry {
    seq: number
    key: string
    value: HyperdriveEntryValue
  }

  /** A streamx readable: async iterable, pipeable, destroyable (Node streams interoperate). */
  export interface StreamxReadable<T> extends EventEmitter, AsyncIterable<T> {
    readonly destroyed: boolean
    pipe<D extends NodeJS.WritableStream | StreamxWritable<T>>(
      dest: D,
      cb?: (err: Error | null) => void,
    ): D
    pause(): this
    resume(): this
    read(): T | null
    destroy(err?: Error | null): void
  }

  /** A streamx writable. */
  export interface StreamxWritable<T> extends EventEmitter {
    readonly destroyed: boolean
    write(data: T): boolean
    end(data?: T): this
    destroy(err?: Error | null): void
  }

  export interface HyperdriveDiffEntry {
    /** The entry in the newer version (null: deleted). */
    left: HyperdriveEntry | null
    /** The entry in the older version (null: added). */
    right: HyperdriveEntry | null
  }

  export interface HyperdriveWatcher extends EventEmitter, AsyncIterable<[Hyperdrive, Hyperdrive]> {
    opened: boolean
    closed: boolean
    ready(): Promise<void>
    close(): Promise<void>
    destroy(): Promise<void>
    next(): Promise<IteratorResult<[Hyperdrive, Hyperdrive]>>
    return(): Promise<IteratorResult<[Hyperdrive, Hyperdrive]>>
  }

  export interface HyperdriveOptions {
    encryptionKey?: Uint8Array | null
    onwait?: (index: number, core: Hypercore) => void
    active?: boolean
    compat?: boolean
    /**
     * The db (a Hyperbee with utf-8 keys and json values, `metadata: { contentFeed: null }`) to
     * use instead of one on `corestore.get({ key } | { name: 'db' })`: Hyperdrive's own option for
     * its sessions, used by `new Drive(store, keyPromise)` to open the db core through the Store.
     */
    _db?: Hyperbee<string, unknown>
  }

  export interface ListOptions {
    recursive?: boolean
    ignore?: string | string[] | ((key: string) => boolean)
    wait?: boolean
  }

  export interface PutOptions {
    executable?: boolean
    metadata?: unknown
  }

  export interface ReadStreamOptions {
    start?: number
    end?: number
    length?: number
    wait?: boolean
    timeout?: number
    /** Bytes read ahead of the consumer (streamx's; default 16 KiB). */
    highWaterMark?: number
  }

  export interface Blobs {
    core: Hypercore
  }

  export interface DownloadHandle extends ReadyResource {
    done(): Promise<void>
    destroy(): void
  }

  export default class Hyperdrive extends ReadyResource {
    constructor(corestore: Corestore, key?: Uint8Array | null, opts?: HyperdriveOptions)
    readonly corestore: Corestore
    /** The key its cores are encrypted with (the `encryptionKey` option), or null. */
    readonly encryptionKey: Uint8Array | null
    /** The db core (the Hyperbee's): its key is the drive's key. */
    readonly core: Hypercore
    readonly db: EventEmitter & {
      version: number
      core: Hypercore
      getHeader(opts?: {
        wait?: boolean
        timeout?: number
      }): Promise<{ protocol: string; metadata: unknown } | null>
    }
    blobs: Blobs | null
    readonly key: Uint8Array | null
    readonly discoveryKey: Uint8Array | null
    readonly contentKey: Uint8Array | undefined
    readonly version: number
    readonly writable: boolean
    readonly readable: boolean
    readonly supportsMetadata: boolean
    static normalizePath(name: string): string
    getBlobs(): Promise<Blobs | null>
    update(opts?: { wait?: boolean }): Promise<boolean>
    findingPeers(): () => void
    get(path: string, opts?: { wait?: boolean; timeout?: number }): Promise<Uint8Array | null>
    put(path: string, data: Uint8Array, opts?: PutOptions): Promise<void>
    del(path: string): Promise<void>
    putEntry(path: string, value: Partial<HyperdriveEntryValue>): Promise<void>
    exists(path: string): Promise<boolean>
    entry(
      path: string | HyperdriveEntry,
      opts?: { follow?: boolean; wait?: boolean; timeout?: number },
    ): Promise<HyperdriveEntry | null>
    symlink(path: string, target: string, opts?: { metadata?: unknown }): Promise<void>
    list(path?: string, opts?: ListOptions): StreamxReadable<HyperdriveEntry>
    readdir(path?: string, opts?: { wait?: boolean }): StreamxReadable<string>
    entries(range?: object, opts?: object): StreamxReadable<HyperdriveEntry>
    createReadStream(
      path: string | HyperdriveEntry,
      opts?: ReadStreamOptions,
    ): StreamxReadable<Uint8Array>
    createWriteStream(
      path: string,
      opts?: PutOptions & { dedup?: boolean },
    ): StreamxWritable<Uint8Array>
    watch(path?: string): HyperdriveWatcher
    checkout(version: number): Hyperdrive
    diff(version: number, path?: string | null, opts?: object): StreamxReadable<HyperdriveDiffEntry>
    batch(): Hyperdrive
    flush(): Promise<void>
    download(path?: string, opts?: object): DownloadHandle
    /** A mirror-drive from this drive to `out` (another Hyperdrive or a Localdrive). */
    mirror(out: object, opts?: import('mirror-drive').MirrorOptions): import('mirror-drive').default
    has(path: string): Promise<boolean>
    clear(path: string, opts?: object): Promise<unknown>
    replicate(isInitiator: boolean, opts?: object): import('node:stream').Duplex
  }
}
