/// <reference types="node" preserve="true" />
// Hand-written declaration for `corestore` 7 (ships no types), typed as far as this project uses it.
declare module 'corestore' {
  import ReadyResource from 'ready-resource'
  import type Hypercore from 'hypercore'
  import type { CoreStorage, HypercoreOptions, KeyPair } from 'hypercore'
  import type { Duplex, Readable } from 'node:stream'

  export interface CorestoreGetOptions extends HypercoreOptions {
    name?: string
    key?: Uint8Array | string
    discoveryKey?: Uint8Array
    createIfMissing?: boolean
  }

  export interface CorestoreOptions {
    primaryKey?: Uint8Array
    unsafe?: boolean
    readOnly?: boolean
    writable?: boolean
    wait?: boolean
    namespace?: Uint8Array
  }

  export interface CoreAuth {
    key: Uint8Array
    discoveryKey: Uint8Array
    manifest: unknown
    keyPair: KeyPair | null
  }

  /** Corestore, a set of hypercores stored together and made from one primary key (declared as far as the SDK uses it). */
  export default class Corestore extends ReadyResource {
    constructor(storage: string | CoreStorage, opts?: CorestoreOptions)
    /** The key every core's key pair is made from, or null before it opens. */
    primaryKey: Uint8Array | null
    /** The namespace names are taken in. */
    ns: Uint8Array
    /** The manifest version new cores get. */
    manifestVersion: number
    /** The root store this session or namespace belongs to, or null. */
    root: Corestore | null
    /** A hypercore by key, by name or by options. */
    get<T = Uint8Array>(opts: CorestoreGetOptions | Uint8Array | string): Hypercore<T>
    /** A store whose names are taken inside `name`. */
    namespace(name: string | Uint8Array, opts?: object): Corestore
    /** Another session on the same cores. */
    session(opts?: object): Corestore
    /** A replication stream for every core in the store. */
    replicate(isInitiator: boolean | Duplex, opts?: object): Duplex
    /** The discovery keys of the stored cores. */
    list(namespace?: Uint8Array): Readable & AsyncIterable<Uint8Array>
    /** The key and manifest of a stored core, or null. */
    getAuth(discoveryKey: Uint8Array): Promise<CoreAuth | null>
    /** The key pair a core named `name` would get. */
    createKeyPair(name: string, ns?: Uint8Array): Promise<KeyPair>
    /** Marks a peer search in progress; call the function it returns when done. */
    findingPeers(): () => void
    /** Flushes and suspends the storage (a no-op where `opts.suspend` turned it off). */
    suspend(opts?: { log?: (message: string) => unknown }): Promise<void>
    /** Reopens the cores that were active before a restart. */
    resume(): Promise<void>
    /** Calls `fn` with each core that opens. */
    watch(fn: (core: unknown) => void): void
    /** Stops calling `fn` with each core that opens. */
    unwatch(fn: (core: unknown) => void): void
  }
}
