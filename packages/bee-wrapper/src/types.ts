// The public types of a Bee: its options, what its reads give, and its events.
import type { Corestore, DatSdkError, Hypercore, KeyLike, Store } from '@dat-sdk/store'
import type { Core, Peer } from '@dat-sdk/core-wrapper'
import type { CoreEvents } from '@dat-sdk/interfaces'
import type {
  HyperbeeBatch,
  HyperbeeDelOptions,
  HyperbeeDiffEntry,
  HyperbeeEntry,
  HyperbeeEntryWatcher,
  HyperbeeGetOptions,
  HyperbeeHistoryEntry,
  HyperbeeHistoryOptions,
  HyperbeePutOptions,
  HyperbeeRange,
  HyperbeeReadStream,
  HyperbeeWatcher,
} from 'hyperbee'
import type Hyperbee from 'hyperbee'
import type { Bee } from './bee.js'
import type { AnyBeeEncoding, BeeEncoding, BeeEncodingType } from './encoding.js'

/** Options for a Bee: its key and value encodings, extensions and encryption key. */
export interface BeeOptions<K = Uint8Array, V = Uint8Array> {
  /** How keys are stored (default `'binary'`). Keys sort by their encoded bytes. */
  keyEncoding?: BeeEncoding<K>
  /** How values are stored (default `'binary'`). */
  valueEncoding?: BeeEncoding<V>
  /** Extension names whose messages arrive as `'extension' (name, message, peer)` events. */
  extensions?: string[]
  /**
   * `new Bee(store, ref, opts)`: encrypts the bee's core, at rest and on the wire, with
   * hypercore's block encryption (32 bytes, any key spelling; a malformed key is `INVALID_KEY`).
   * Readers need the same key; without it, or with a wrong one, reads reject `DECRYPTION_FAILED`.
   * A bee made from a hypercore, Core or Hyperbee reads it with that one's encryption.
   */
  encryptionKey?: KeyLike | null
}

/** Options for a sub-bee: its encodings and the separator after its prefix. */
export interface SubOptions<K, V> {
  /** The sub's key encoding (default: this bee's). */
  keyEncoding?: BeeEncoding<K>
  /** The sub's value encoding (default: this bee's). */
  valueEncoding?: BeeEncoding<V>
  /** What separates the prefix from the keys (default a 0x00 byte, as hyperbee's). */
  sep?: string
}

/** Options of any Bee, whatever its types: what `new Bee()` infers `K` and `V` from. */
export interface BeeOptionsLike {
  /** How keys are stored. */
  keyEncoding?: AnyBeeEncoding
  /** How values are stored. */
  valueEncoding?: AnyBeeEncoding
  /** Extension names whose messages arrive as events. */
  extensions?: string[]
  /** The key the bee's core is encrypted with. */
  encryptionKey?: KeyLike | null
}

/** Options of any sub, whatever its types: what `bee.sub()` infers its `K` and `V` from. */
export interface SubOptionsLike {
  /** The sub's key encoding. */
  keyEncoding?: AnyBeeEncoding
  /** The sub's value encoding. */
  valueEncoding?: AnyBeeEncoding
  /** What separates the prefix from the keys. */
  sep?: string
}

/** The key type options `O` give (`Default` when they name no key encoding). */
export type BeeKeyOf<O, Default = Uint8Array> = O extends { keyEncoding?: infer E }
  ? BeeEncodingType<E, Default>
  : Default

/** The value type options `O` give (`Default` when they name no value encoding). */
export type BeeValueOf<O, Default = Uint8Array> = O extends { valueEncoding?: infer E }
  ? BeeEncodingType<E, Default>
  : Default

/**
 * `new Bee(...)`: with no type arguments, the key and value types follow the encodings in `opts`
 * (`{ keyEncoding: 'utf-8', valueEncoding: c.uint }` gives a `Bee<string, number>`); explicit
 * ones (`new Bee<string, Doc>(store, 'x', { keyEncoding: 'utf-8', valueEncoding: 'json' })`) are
 * taken as they are. A raw Hyperbee gives its own types.
 */
export interface BeeConstructor {
  new <O extends BeeOptionsLike = {}>(
    store: Store | Corestore,
    ref?: KeyLike | null,
    opts?: O,
  ): Bee<BeeKeyOf<O>, BeeValueOf<O>>
  new <K = Uint8Array, V = Uint8Array>(
    store: Store | Corestore,
    ref?: KeyLike | null,
    opts?: BeeOptions<K, V>,
  ): Bee<K, V>
  new <K, V>(hyperbee: Hyperbee<K, V>, opts?: BeeOptions<K, V>): Bee<K, V>
  new <O extends BeeOptionsLike = {}>(
    source: Hypercore<unknown> | Core<unknown>,
    opts?: O,
  ): Bee<BeeKeyOf<O>, BeeValueOf<O>>
  new <K = Uint8Array, V = Uint8Array>(
    source: Hypercore<unknown> | Core<unknown>,
    opts?: BeeOptions<K, V>,
  ): Bee<K, V>
  /** The Bee class's prototype. */
  readonly prototype: Bee<unknown, unknown>
}

/** One entry: `seq` is the index of the block it was written in. */
export type BeeEntry<K, V> = HyperbeeEntry<K, V>
/** `gt` / `gte` / `lt` / `lte` bounds (in key order, by encoded bytes), `limit`, `reverse`. */
export type BeeRange<K> = HyperbeeRange<K>
/** One put or del of the history, in order. */
export type BeeHistoryEntry<K, V> = HyperbeeHistoryEntry<K, V>
/** A key that differs between two versions: `left` here, `right` there (null: absent). */
export type BeeDiffEntry<K, V> = HyperbeeDiffEntry<K, V>
/** A streamx readable; iterate it with `for await`. */
export type BeeReadStream<T> = HyperbeeReadStream<T>
/** Writes collected and applied at once by `flush()`. */
export type BeeBatch<K, V> = HyperbeeBatch<K, V>
/** Yields `[current, previous]` raw snapshots (closed by the watcher) after each change in range. */
export type BeeWatcher<K, V> = HyperbeeWatcher<K, V>
/** Emits `'update'` when the key's entry changes; `node` is the entry now. */
export type BeeEntryWatcher<K, V> = HyperbeeEntryWatcher<K, V>
export type {
  HyperbeeGetOptions as BeeGetOptions,
  HyperbeePutOptions as BeePutOptions,
  HyperbeeDelOptions as BeeDelOptions,
  HyperbeeHistoryOptions as BeeHistoryOptions,
}

/** A Bee's events: the same as a `Core`'s, for the bee's core. */
/** A Bee's events: a `Core`'s (`CoreEvents` in @dat-sdk/interfaces), for the bee's core. */
export type BeeEvents = CoreEvents<Peer>
