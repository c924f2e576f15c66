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

  /** Options for writing a file. */
  export interface PutOptions {
    /** Mark the file executable. */
    executable?: boolean
    /** Metadata stored with the file's entry. */
    metadata?: unknown
  }

  /** Which bytes of a file to read, and how long to wait for them. */
  export interface ReadStreamOptions {
    /** The first byte to read. */
    start?: number
    /** The last byte to read (inclusive). */
    end?: number
    /** How many bytes to read. */
    length?: number
    /** Wait for missing blocks from peers (default true). */
    wait?: boolean
    /** How long to wait for a block, in ms. */
    timeout?: number
    /** Bytes read ahead of the consumer (streamx's; default 16 KiB). */
    highWaterMark?: number
  }

  export interface Blobs {
    core: Hypercore
    /** The block size `put()` splits a file into (hyperblobs' default: 64 KiB). */
    blockSize: number
  }

  export interface DownloadHandle extends ReadyResource {
    done(): Promise<void>
    destroy(): void
  }

  /** Hyperdrive, a file system on a hyperbee and a blob core (declared as far as the SDK uses it). */
  export default class Hyperdrive extends ReadyResource {
    constructor(corestore: Corestore, key?: Uint8Array | null, opts?: HyperdriveOptions)
    /** The corestore the drive's cores live in. */
    readonly corestore: Corestore
    /** The key its cores are encrypted with (the `encryptionKey` option), or null. */
    readonly encryptionKey: Uint8Array | null
    /** The db core (the Hyperbee's): its key is the drive's key. */
    readonly core: Hypercore
    /** The hyperbee that holds the drive's file entries. */
    readonly db: EventEmitter & {
      version: number
      core: Hypercore
      getHeader(opts?: {
        wait?: boolean
        timeout?: number
      }): Promise<{ protocol: string; metadata: unknown } | null>
    }
    /** The blob store that holds the files' bytes, or null until known. */
    blobs: Blobs | null
    /** The drive's public key, or null before it opens. */
    readonly key: Uint8Array | null
    /** The discovery key, or null before it opens. */
    readonly discoveryKey: Uint8Array | null
    /** The key of the core that holds the files' bytes. */
    readonly contentKey: Uint8Array | undefined
    /** The drive's version (its entries core's length). */
    readonly version: number
    /** Whether this peer can write to the drive. */
    readonly writable: boolean
    /** Whether the drive can be read (false once closed). */
    readonly readable: boolean
    /** Whether entries can carry metadata. */
    readonly supportsMetadata: boolean
    static normalizePath(name: string): string
    /** Waits for the blob store, null when it cannot be found. */
    getBlobs(): Promise<Blobs | null>
    /** Waits for the newest version from peers, true if it changed. */
    update(opts?: { wait?: boolean }): Promise<boolean>
    /** Marks a peer search in progress; call the function it returns when done. */
    findingPeers(): () => void
    /** The file's bytes, or null when there is no such file. */
    get(path: string, opts?: { wait?: boolean; timeout?: number }): Promise<Uint8Array | null>
    /** Writes a file. */
    put(path: string, data: Uint8Array, opts?: PutOptions): Promise<void>
    /** Deletes a file. */
    del(path: string): Promise<void>
    /** Writes a file's entry directly. */
    putEntry(path: string, value: Partial<HyperdriveEntryValue>): Promise<void>
    /** Whether a file exists at `path`. */
    exists(path: string): Promise<boolean>
    /** The file's entry, or null. */
    entry(
      path: string | HyperdriveEntry,
      opts?: { follow?: boolean; wait?: boolean; timeout?: number },
    ): Promise<HyperdriveEntry | null>
    /** Writes a symbolic link to `target`. */
    symlink(path: string, target: string, opts?: { metadata?: unknown }): Promise<void>
    /** The entries below `path`. */
    list(path?: string, opts?: ListOptions): StreamxReadable<HyperdriveEntry>
    /** The names directly inside `path`. */
    readdir(path?: string, opts?: { wait?: boolean }): StreamxReadable<string>
    /** Every entry, in path order. */
    entries(range?: object, opts?: object): StreamxReadable<HyperdriveEntry>
    /** A stream of a file's bytes. */
    createReadStream(
      path: string | HyperdriveEntry,
      opts?: ReadStreamOptions,
    ): StreamxReadable<Uint8Array>
    /** A stream that writes a file. */
    createWriteStream(
      path: string,
      opts?: PutOptions & { dedup?: boolean },
    ): StreamxWritable<Uint8Array>
    /** Watches `path` for changes. */
    watch(path?: string): HyperdriveWatcher
    /** A read-only drive at an earlier version. */
    checkout(version: number): Hyperdrive
    /** What changed between this version and another. */
    diff(version: number, path?: string | null, opts?: object): StreamxReadable<HyperdriveDiffEntry>
    /** A batch whose writes land together on `flush()`. */
    batch(): Hyperdrive
    /** Writes a batch's changes. */
    flush(): Promise<void>
    /** Downloads the files under `path` in the background. */
    download(path?: string, opts?: object): DownloadHandle
    /** A mirror-drive from this drive to `out` (another Hyperdrive or a Localdrive). */
    mirror(out: object, opts?: import('mirror-drive').MirrorOptions): import('mirror-drive').default
    /** Whether this peer holds every block of the file. */
    has(path: string): Promise<boolean>
    /** Frees the local blocks of the file. */
    clear(path: string, opts?: object): Promise<unknown>
    /** A replication stream for the drive's cores. */
    replicate(isInitiator: boolean, opts?: object): import('node:stream').Duplex
  }
}
