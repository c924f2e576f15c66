/// <reference types="node" preserve="true" />
// Hand-written declaration for `hypercore` 11 (ships no types), typed as far as this project uses it.
declare module 'hypercore' {
  import ReadyResource from 'ready-resource'
  import type { Encoder } from 'compact-encoding'
  import type { Duplex, Readable, Writable } from 'node:stream'
  import type Protomux from 'protomux'

  export type ValueEncoding = 'binary' | 'utf-8' | 'utf8' | 'json' | Encoder<unknown>

  /** A core's signing key pair. */
  export interface KeyPair {
    /** The public key, which is the core's key. */
    publicKey: Uint8Array
    /** The secret key, null on a core this peer cannot write. */
    secretKey: Uint8Array | null
  }

  /** A block encryption of one's own (Autobase's writer and view encryption are ones). */
  export interface EncryptionProvider {
    padding(core: unknown, index: number): number
    encrypt(index: number, block: Uint8Array, fork: number, core: unknown): unknown
    decrypt(index: number, block: Uint8Array, core: unknown): unknown
  }

  /** Options for opening a hypercore. */
  export interface HypercoreOptions {
    /** How blocks are encoded. */
    valueEncoding?: ValueEncoding
    /** Download only the blocks asked for (default true). */
    sparse?: boolean
    /** The key pair to sign with. */
    keyPair?: KeyPair
    /** Block encryption: blocks are stored and sent encrypted with (a key derived from) `key`. */
    encryption?: { key: Uint8Array; block?: boolean } | EncryptionProvider | null
    /** Open it for writing. */
    writable?: boolean
    /** Wait for missing blocks from peers (default true). */
    wait?: boolean
    /** How long to wait for a block, in ms. */
    timeout?: number
    /** Whether the session keeps the core replicating. */
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
    /** The peer's public key. */
    remotePublicKey: Uint8Array
    /** The core's length as the peer knows it. */
    remoteLength: number
    /** How many blocks from the start the peer holds without a gap. */
    remoteContiguousLength: number
    /** Which blocks the peer holds. */
    remoteBitfield: RemoteBitfield
    /** The replication stream to the peer. */
    stream: Duplex & {
      remotePublicKey: Uint8Array
      rawStream?: { remoteHost?: string; remotePort?: number }
    }
    /** The mux of the replication stream this peer runs on. */
    protomux: Protomux
    /** The extensions the peer has registered. */
    extensions: Map<string, unknown>
    /** Sends an extension message to the peer. */
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

  /** Hypercore, a signed append-only log (declared as far as the SDK uses it). */
  export default class Hypercore<T = Uint8Array> extends ReadyResource {
    constructor(storage: string, key?: Uint8Array | null, opts?: HypercoreOptions)
    /** Opens hypercore-storage in a directory, with options a plain path cannot carry. */
    static defaultStorage(directory: string, opts?: CoreStorageOptions): CoreStorage
    static discoveryKey(key: Uint8Array): Uint8Array
    /** The key of the core a manifest describes (the hash of a one-signer manifest, for example). */
    static key(manifest: { version: number; signers: Array<{ publicKey: Uint8Array }> }): Uint8Array
    /** The core's id (its key in z-base-32), or null before it opens. */
    id: string | null
    /** The core's public key, or null before it opens. */
    key: Uint8Array | null
    /** The discovery key, the topic peers meet on, or null before it opens. */
    discoveryKey: Uint8Array | null
    /** The key pair, or null before it opens. */
    keyPair: KeyPair | null
    /** The session's block encryption provider, or null when its blocks are read as stored. */
    encryption: object | null
    /** How many blocks the core has. */
    length: number
    /** How many blocks from the start this peer holds without a gap. */
    contiguousLength: number
    /** The length its signers have signed (an Autobase view may hold more, computed locally). */
    signedLength: number
    /** The core's size in bytes. */
    byteLength: number
    /** The fork id, raised when the core is truncated. */
    fork: number
    /** Whether this peer can write to the core. */
    writable: boolean
    /** Whether the core can be read (false once closed). */
    readable: boolean
    /** The peers replicating the core. */
    peers: HypercorePeer[]
    /** The open sessions on the core. */
    sessions: Hypercore<unknown>[]
    /** Appends one block or several. */
    append(block: T | T[]): Promise<AppendResult>
    /** The block at `index`, fetched from a peer when missing. */
    get(index: number, opts?: GetOptions): Promise<T | null>
    /** Whether this peer holds every block in `[start, end)`. */
    has(start: number, end?: number): Promise<boolean>
    /** Waits for the newest length from peers, true if it changed. */
    update(opts?: UpdateOptions): Promise<boolean>
    /** Downloads a range of blocks in the background. */
    download(range?: RangeOptions): Download
    /** The core's stats. */
    info(opts?: object): Promise<Info>
    /** Cuts the core back to `newLength`, raising its fork id. */
    truncate(newLength?: number): Promise<void>
    /** Frees the local copies of the blocks in `[start, end)`. */
    clear(start: number, end?: number): Promise<void>
    /** A stream of blocks in order. */
    createReadStream(opts?: ReadStreamOptions): Readable
    /** A stream that appends what is written to it. */
    createWriteStream(): Writable
    /** Another session on the same core. */
    session(opts?: HypercoreOptions): Hypercore<T>
    /** A session fixed at the current length. */
    snapshot(opts?: HypercoreOptions): Hypercore<T>
    /** Marks a peer search in progress; call the function it returns when done. */
    findingPeers(): () => void
    /** A replication stream for the core. */
    replicate(isInitiator: boolean | Duplex, opts?: object): Duplex
    /** The extensions registered on this session, by name. */
    readonly extensions: Map<string, HypercoreExtension<unknown>>
    /** Registers a named extension on the core's peers. */
    registerExtension<M = Uint8Array>(
      name: string,
      handlers?: ExtensionHandlers<M>,
    ): HypercoreExtension<M>
    /** Sets the key the core's blocks are encrypted with. */
    setEncryptionKey(key: Uint8Array, opts?: { block?: boolean }): Promise<void>
    /** Stores a local value under `key` (never replicated). */
    setUserData(key: string, value: Uint8Array | string | null): Promise<void>
    /** A local value stored under `key`, or null. */
    getUserData(key: string): Promise<Uint8Array | null>
  }
}
