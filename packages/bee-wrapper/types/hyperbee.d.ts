/// <reference types="node" preserve="true" />
// Hand-written declaration for `hyperbee` 2 (ships no types), typed as far as this project uses it.
declare module 'hyperbee' {
  import ReadyResource from 'ready-resource'
  import type Hypercore from 'hypercore'
  import type { EventEmitter } from 'node:events'

  /** What hyperbee's `codecs` accepts: a name, a compact-encoding codec or an abstract-encoding. */
  export type HyperbeeEncoding =
    | 'binary'
    | 'utf-8'
    | 'utf8'
    | 'json'
    | {
        encode(value: never): Uint8Array
        decode(bytes: Uint8Array): unknown
        encodeRange?(range: HyperbeeRange<unknown>): HyperbeeRange<Uint8Array>
      }

  export interface HyperbeeOptions {
    keyEncoding?: HyperbeeEncoding
    valueEncoding?: HyperbeeEncoding
    /** Registers the `hyperbee` prefetch extension on the core (default true). */
    extension?: boolean
    metadata?: unknown
    readonly?: boolean
    /** Separator between a sub's prefix and its keys (default a 0x00 byte). */
    sep?: Uint8Array | string
  }

  /** One key-value entry: `seq` is the index of the block it was written in. */
  export interface HyperbeeEntry<K, V> {
    seq: number
    key: K
    value: V
  }

  export interface HyperbeeRange<K> {
    gt?: K
    gte?: K
    lt?: K
    lte?: K
    /** At most this many entries (-1: no limit). */
    limit?: number
    reverse?: boolean
  }

  /** Options for reads: whether, and how long, to wait for a peer. */
  export interface HyperbeeGetOptions {
    /** Wait for a block that is not here yet (default true). */
    wait?: boolean
    /** Reject after this many milliseconds (0: no timeout). */
    timeout?: number
    /** Fetch the latest length from peers first (default true). */
    update?: boolean
  }

  /** Options for a put: a compare-and-swap check. */
  export interface HyperbeePutOptions<K, V> {
    /** Compare-and-swap: write only when this returns true. */
    cas?(prev: HyperbeeEntry<K, V>, next: HyperbeeEntry<K, V>): boolean
  }

  /** Options for a delete: a compare-and-delete check. */
  export interface HyperbeeDelOptions<K, V> {
    /** Compare-and-swap: delete only when this returns true. */
    cas?(prev: HyperbeeEntry<K, V>): boolean
  }

  /** Which part of the bee's history to stream. */
  export interface HyperbeeHistoryOptions {
    /** Keep streaming new changes as they come. */
    live?: boolean
    /** Newest change first. */
    reverse?: boolean
    /** Only changes after this sequence number. */
    gt?: number
    /** Only changes at or after this sequence number. */
    gte?: number
    /** Only changes before this sequence number. */
    lt?: number
    /** Only changes at or before this sequence number. */
    lte?: number
    /** At most this many changes. */
    limit?: number
  }

  /** One change of the history: a put or a del. */
  export interface HyperbeeHistoryEntry<K, V> {
    type: 'put' | 'del'
    seq: number
    key: K
    value: V | null
  }

  /** One change between two versions: `left` in this version, `right` in the other (null: absent). */
  export interface HyperbeeDiffEntry<K, V> {
    left: HyperbeeEntry<K, V> | null
    right: HyperbeeEntry<K, V> | null
  }

  /** A streamx readable: async iterable, pipeable, destroyable. */
  export interface HyperbeeReadStream<T> extends EventEmitter, AsyncIterable<T> {
    readonly destroyed: boolean
    pipe<D extends NodeJS.WritableStream>(dest: D, cb?: (err: Error | null) => void): D
    pause(): this
    resume(): this
    read(): T | null
    destroy(err?: Error | null): void
  }

  export interface HyperbeeWatchOptions<K, V> {
    keyEncoding?: HyperbeeEncoding
    valueEncoding?: HyperbeeEncoding
    /** Turns each snapshot into what the watcher yields (and closes). */
    map?(snapshot: Hyperbee<K, V>): Hyperbee<K, V>
    /** Yields only when this stream (of the two snapshots, within `range`) has an entry. */
    differ?(
      current: Hyperbee<K, V>,
      previous: Hyperbee<K, V>,
      range: HyperbeeRange<K> | undefined,
    ): HyperbeeReadStream<HyperbeeDiffEntry<K, V>>
  }

  /** Yields `[current, previous]` snapshots each time something in its range changes. */
  export interface HyperbeeWatcher<K, V>
    extends ReadyResource, AsyncIterable<[Hyperbee<K, V>, Hyperbee<K, V>]> {
    readonly current: Hyperbee<K, V> | null
    readonly previous: Hyperbee<K, V> | null
    next(): Promise<IteratorResult<[Hyperbee<K, V>, Hyperbee<K, V>]>>
    return(): Promise<IteratorResult<[Hyperbee<K, V>, Hyperbee<K, V>]>>
    destroy(): Promise<void>
  }

  /** Emits `'update'` each time the entry of its key changes; `node` is the entry now. */
  export interface HyperbeeEntryWatcher<K, V> extends ReadyResource {
    readonly node: HyperbeeEntry<K, V> | null
  }

  /** A batch of writes, applied at once by `flush()`. */
  export interface HyperbeeBatch<K, V> {
    get(key: K, opts?: HyperbeeGetOptions): Promise<HyperbeeEntry<K, V> | null>
    put(key: K, value: V, opts?: HyperbeePutOptions<K, V>): Promise<void>
    del(key: K, opts?: HyperbeeDelOptions<K, V>): Promise<void>
    flush(): Promise<void>
    close(): Promise<void>
    destroy(): void
  }

  /** Hyperbee, a B-tree key-value database on a hypercore (declared as far as the SDK uses it). */
  export default class Hyperbee<K = Uint8Array, V = Uint8Array> extends ReadyResource {
    constructor(core: Hypercore<unknown>, opts?: HyperbeeOptions)
    /** The hypercore the bee is stored in. */
    readonly core: Hypercore<unknown>
    /** How keys are encoded, or null for raw bytes. */
    readonly keyEncoding: HyperbeeEncoding | null
    /** How values are encoded, or null for raw bytes. */
    readonly valueEncoding: HyperbeeEncoding | null
    /** A sub-bee's key prefix, or null. */
    readonly prefix: Uint8Array | null
    /** The bee's version (its core's length). */
    readonly version: number
    /** The core's public key, or null before it opens. */
    readonly key: Uint8Array | null
    /** The discovery key, or null before it opens. */
    readonly discoveryKey: Uint8Array | null
    /** Whether this peer can write to the bee. */
    readonly writable: boolean
    /** Whether the bee can be read (false once closed). */
    readonly readable: boolean
    /** Waits for the newest version from peers, true if it changed. */
    update(opts?: { wait?: boolean }): Promise<boolean>
    /** The entry for `key`, or null. */
    get(key: K, opts?: HyperbeeGetOptions): Promise<HyperbeeEntry<K, V> | null>
    /** The key and value at sequence number `seq`. */
    getBySeq(seq: number, opts?: HyperbeeGetOptions): Promise<{ key: K; value: V } | null>
    /** Stores `value` under `key`. */
    put(key: K, value: V, opts?: HyperbeePutOptions<K, V>): Promise<void>
    /** Deletes `key`. */
    del(key: K, opts?: HyperbeeDelOptions<K, V>): Promise<void>
    /** `update: false` skips fetching the latest version first (an Autobase view's apply does). */
    batch(opts?: { update?: boolean }): HyperbeeBatch<K, V>
    /** The first entry in `range`, or null. */
    peek(range?: HyperbeeRange<K>): Promise<HyperbeeEntry<K, V> | null>
    /** The entries in `range`, in key order. */
    createReadStream(range?: HyperbeeRange<K>): HyperbeeReadStream<HyperbeeEntry<K, V>>
    /** The bee's changes, in order. */
    createHistoryStream(
      opts?: HyperbeeHistoryOptions,
    ): HyperbeeReadStream<HyperbeeHistoryEntry<K, V>>
    /** What changed between this version and another. */
    createDiffStream(
      other: number | Hyperbee<K, V>,
      range?: HyperbeeRange<K>,
    ): HyperbeeReadStream<HyperbeeDiffEntry<K, V>>
    /** Watches `range`, yielding a snapshot pair at each change. */
    watch(range?: HyperbeeRange<K>, opts?: HyperbeeWatchOptions<K, V>): HyperbeeWatcher<K, V>
    /** The entry for `key`, kept current as it changes. */
    getAndWatch(
      key: K,
      opts?: { keyEncoding?: HyperbeeEncoding; valueEncoding?: HyperbeeEncoding },
    ): Promise<HyperbeeEntryWatcher<K, V>>
    /** A read-only bee at an earlier version. */
    checkout(
      version: number,
      opts?: { keyEncoding?: HyperbeeEncoding; valueEncoding?: HyperbeeEncoding },
    ): Hyperbee<K, V>
    /** A read-only bee fixed at the current version. */
    snapshot(): Hyperbee<K, V>
    /** A bee over the keys under a prefix. */
    sub<K2 = K, V2 = V>(
      prefix: Uint8Array | string,
      opts?: { keyEncoding?: HyperbeeEncoding; valueEncoding?: HyperbeeEncoding; sep?: string },
    ): Hyperbee<K2, V2>
    /** The bee's header block (its protocol name and metadata), or null when empty. */
    getHeader(opts?: HyperbeeGetOptions): Promise<{ protocol: string; metadata: unknown } | null>
    static isHyperbee(core: Hypercore<unknown>, opts?: HyperbeeGetOptions): Promise<boolean>
  }
}
