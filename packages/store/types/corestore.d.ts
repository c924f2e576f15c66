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

  export default class Corestore extends ReadyResource {
    constructor(storage: string | CoreStorage, opts?: CorestoreOptions)
    primaryKey: Uint8Array | null
    ns: Uint8Array
    manifestVersion: number
    root: Corestore | null
    get<T = Uint8Array>(opts: CorestoreGetOptions | Uint8Array | string): Hypercore<T>
    namespace(name: string | Uint8Array, opts?: object): Corestore
    session(opts?: object): Corestore
    replicate(isInitiator: boolean | Duplex, opts?: object): Duplex
    list(namespace?: Uint8Array): Readable & AsyncIterable<Uint8Array>
    getAuth(discoveryKey: Uint8Array): Promise<CoreAuth | null>
    createKeyPair(name: string, ns?: Uint8Array): Promise<KeyPair>
    findingPeers(): () => void
    /** Flushes and suspends the storage (a no-op where `opts.suspend` turned it off). */
    suspend(opts?: { log?: (message: string) => unknown }): Promise<void>
    resume(): Promise<void>
    watch(fn: (core: unknown) => void): void
    unwatch(fn: (core: unknown) => void): void
  }
}
