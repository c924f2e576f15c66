/// <reference types="node" preserve="true" />
// Hand-written declaration for `autobase` 7 (ships no types), typed as far as this project uses it.
declare module 'autobase/lib/messages.js' {
  import type { Encoder } from 'compact-encoding'
  /** Autobase's message codecs (a CommonJS module: import its default). */
  const messages: {
    /** A writer log's blocks (block 0 of the bootstrap core is one). */
    OplogMessage: Encoder<unknown>
  }
  export default messages
}

declare module 'autobase' {
  import ReadyResource from 'ready-resource'
  import type Corestore from 'corestore'
  import type Hypercore from 'hypercore'
  import type { Duplex } from 'node:stream'

  /** One linearized node, as `apply` gets it. */
  export interface AutobaseNode<T = Uint8Array> {
    value: T
    from: { key: Uint8Array }
    length: number
    indexed?: boolean
  }

  /** The store `open` gets: views are cores opened by name from it. */
  export interface AutoStore {
    /** Opens a view core by name, inside the base. */
    get<T = Uint8Array>(name: string | { name: string; valueEncoding?: unknown }): Hypercore<T>
  }

  /** What `apply` gets as `host`: membership changes and interrupts, applied in log order. */
  export interface AutobaseHost {
    /** Adds a writer (an indexer if asked). */
    addWriter(key: Uint8Array, opts?: { indexer?: boolean; isIndexer?: boolean }): Promise<void>
    /** Removes a writer. */
    removeWriter(key: Uint8Array): Promise<void>
    /** Acknowledges a writer, so that its writes are indexed. */
    ackWriter(key: Uint8Array): Promise<void>
    /** Stops the apply in progress, with `reason`. */
    interrupt(reason?: unknown): void
    /** Whether the writer `key` can be removed now. */
    removeable(key: Uint8Array): boolean
  }

  export interface AutobaseHandlers<V, T> {
    open?(store: AutoStore, host: AutobaseHost): V
    apply?(nodes: Array<AutobaseNode<T>>, view: V, host: AutobaseHost): Promise<void>
    close?(view: V): Promise<void>
    valueEncoding?: unknown
    ackInterval?: number
    ackThreshold?: number
    fastForward?: boolean
    [option: string]: unknown
  }

  export interface SystemWriter {
    key: Uint8Array
    length: number
    isIndexer: boolean
  }

  export interface SystemView {
    /** The system's Hyperbee, on the system core: its block 0 is the Hyperbee header. */
    db: {
      core: Hypercore<unknown>
      getHeader(opts?: { wait?: boolean; timeout?: number }): Promise<{ protocol?: unknown } | null>
    }
    list(): AsyncIterable<SystemWriter>
    has(key: Uint8Array): Promise<boolean>
    get(key: Uint8Array): Promise<SystemWriter | null>
    members: number
  }

  export default class Autobase<V = unknown, T = Uint8Array> extends ReadyResource {
    constructor(store: Corestore, bootstrap: Uint8Array | null, handlers?: AutobaseHandlers<V, T>)
    static getLocalKey(store: Corestore, opts?: object): Promise<Uint8Array>
    /** The store the base opens its cores from (the namespace it was given). */
    store: Corestore
    /** The encryption of writer cores (an encryption provider), or null for a plain base. */
    getWriterEncryption(): import('hypercore').EncryptionProvider | null
    key: Uint8Array | null
    discoveryKey: Uint8Array | null
    local: Hypercore<unknown>
    /** The key the base is encrypted with (given, or kept in the local core), or null. */
    encryptionKey: Uint8Array | null
    view: V
    core: Hypercore<unknown>
    readonly writable: boolean
    readonly isIndexer: boolean
    readonly length: number
    readonly signedLength: number
    readonly system: SystemView | null
    /** The writers it is following now (blind-peering reads their cores). */
    readonly activeWriters: Iterable<{ core: Hypercore<unknown> }>
    /** The key peers wake the base with (known once ready). */
    readonly wakeupCapability: { key: Uint8Array; discoveryKey: Uint8Array } | null
    /** Its view cores (the system core among them), by key: what a view is now. */
    views(): Array<{ name: string; key: Uint8Array; length: number; signedLength: number }>
    append(value: T | T[] | null, opts?: { optimistic?: boolean }): Promise<number>
    update(): Promise<void>
    ack(bg?: boolean): Promise<void>
    replicate(isInitiator: boolean | Duplex, opts?: object): Duplex
    hash(): Promise<Uint8Array>
    setUserData(key: string, value: Uint8Array | string | null): Promise<void>
    getUserData(key: string): Promise<Uint8Array | null>
  }
}
