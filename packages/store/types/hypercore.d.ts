/// <reference types="node" preserve="true" />
// Hand-written declaration for `hypercore` 11 (ships no types), typed as far as this project uses it.
declare module 'hypercore' {
  import ReadyResource from 'ready-resource'
  import type { Encoder } from 'compact-encoding'
  import type { Duplex, Readable, Writable } from 'node:stream'
  import type Protomux from 'protomux'

  export type ValueEncoding = 'binary' | 'utf-8' | 'utf8' | 'json' | Encoder<unknown>

  export interface KeyPair {
    publicKey: Uint8Array
    secretKey: Uint8Array | null
  }

  /** A block encryption of one's own (Autobase's writer and view encryption are ones). */
  export interface EncryptionProvider {
    padding(core: unknown, index: number): number
    encrypt(index: number, block: Uint8Array, fork: number, core: unknown): unknown
    decrypt(index: number, block: Uint8Array, core: unknown): unknown
  }

  export interface HypercoreOptions {
    valueEncoding?: ValueEncoding
    sparse?: boolean
    keyPair?: KeyPair
    /** Block encryption: blocks are stored and sent encrypted with (a key derived from) `key`. */
    encryption?: { key: Uint8Array; block?: boolean } | EncryptionProvider | null
    writable?: boolean
    wait?: boolean
    timeout?: number
    active?: boolean
    [option: string]: unknown
  }

  export interface GetOptions {
    wait?: boolean
    timeout?: number
    valueEncoding?: ValueEncoding
    onwait?(index: number): void
  }

  export interface UpdateOptions {
    wait?: boolean
    force?: boolean
  }

  export interface RangeOptions {
    start?: number
    end?: number
    blocks?: number[]
    linear?: boolean
  }

  export interface Download {
    done(): Promise<void>
    destroy(): void
  }

  export interface ReadStreamOptions {
    start?: number
    end?: number
    live?: boolean
    snapshot?: boolean
    wait?: boolean
  }

  export interface Info {
    key: Uint8Array
    discoveryKey: Uint8Array
    length: number
    contiguousLength: number
    byteLength: number
    fork: number
    padding: number
    storage: unknown
  }

  export interface RemoteBitfield {
    get(index: number): boolean
  }

  /** A replication peer of one core (one per connection that shares the core). */
  export interface HypercorePeer {
    remotePublicKey: Uint8Array
    remoteLength: number
    remoteContiguousLength: number
    remoteBitfield: RemoteBitfield
    stream: Duplex & {
      remotePublicKey: Uint8Array
      rawStream?: { remoteHost?: string; remotePort?: number }
    }
    /** The mux of the replication stream this peer runs on. */
    protomux: Protomux
    extensions: Map<string, unknown>
    extension(name: string, message: Uint8Array): void
  }

  export interface ExtensionHandlers<M> {
    encoding?: ValueEncoding | Encoder<M>
    onmessage?(message: M, peer: HypercorePeer): void
  }

  export interface HypercoreExtension<M> {
    name: string
    send(message: M, peer: HypercorePeer): void
    broadcast(message: M): void
    destroy(): void
  }

  export interface AppendResult {
    length: number
    byteLength: number
  }

  /** hypercore-storage's options (RocksDB underneath), as far as this project sets them. */
  export interface CoreStorageOptions {
    /** Bytes a RocksDB memtable holds before it is flushed to disk (hypercore-storage: 64 MiB). */
    writeBufferSize?: number
  }

  /** A hypercore-storage instance: one RocksDB database that a Corestore keeps all its cores in. */
  export interface CoreStorage {
    close(): Promise<void>
  }

  export default class Hypercore<T = Uint8Array> extends ReadyResource {
    constructor(storage: string, key?: Uint8Array | null, opts?: HypercoreOptions)
    /** Opens hypercore-storage in a directory, with options a plain path cannot carry. */
    static defaultStorage(directory: string, opts?: CoreStorageOptions): CoreStorage
    static discoveryKey(key: Uint8Array): Uint8Array
    /** The key of the core a manifest describes (the hash of a one-signer manifest, for example). */
    static key(manifest: { version: number; signers: Array<{ publicKey: Uint8Array }> }): Uint8Array
    id: string | null
    key: Uint8Array | null
    discoveryKey: Uint8Array | null
    keyPair: KeyPair | null
    /** The session's block encryption provider, or null when its blocks are read as stored. */
    encryption: object | null
    length: number
    contiguousLength: number
    /** The length its signers have signed (an Autobase view may hold more, computed locally). */
    signedLength: number
    byteLength: number
    fork: number
    writable: boolean
    readable: boolean
    peers: HypercorePeer[]
    sessions: Hypercore<unknown>[]
    append(block: T | T[]): Promise<AppendResult>
    get(index: number, opts?: GetOptions): Promise<T | null>
    has(start: number, end?: number): Promise<boolean>
    update(opts?: UpdateOptions): Promise<boolean>
    download(range?: RangeOptions): Download
    info(opts?: object): Promise<Info>
    truncate(newLength?: number): Promise<void>
    clear(start: number, end?: number): Promise<void>
    createReadStream(opts?: ReadStreamOptions): Readable
    createWriteStream(): Writable
    session(opts?: HypercoreOptions): Hypercore<T>
    snapshot(opts?: HypercoreOptions): Hypercore<T>
    findingPeers(): () => void
    replicate(isInitiator: boolean | Duplex, opts?: object): Duplex
    registerExtension<M = Uint8Array>(
      name: string,
      handlers?: ExtensionHandlers<M>,
    ): HypercoreExtension<M>
    setEncryptionKey(key: Uint8Array, opts?: { block?: boolean }): Promise<void>
    setUserData(key: string, value: Uint8Array | string | null): Promise<void>
    getUserData(key: string): Promise<Uint8Array | null>
  }
}
