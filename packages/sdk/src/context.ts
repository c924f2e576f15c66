// What the per-kind openers (open-parts.ts, open-shared.ts) need from the SDK that calls them.
import type { Joinable } from '@dat-sdk/networker'
import type { Hypercore, Store } from '@dat-sdk/store'
import type { NetworkerLike } from '@dat-sdk/interfaces'
import type { Pairing } from '@dat-sdk/autobase'
import type { AutoJoin } from './autojoin.js'
import type { ClosingOrder, Closable } from './closing.js'
import type { RefCache, Cacheable } from './refs.js'

/** What the SDK opens for a caller: it opens, closes, and says when it is closing. */
export type Part = Cacheable &
  Closable & {
    ready(): Promise<unknown>
    /** Listens for the part's `'close'` (it emits it once); the listener is called on the part. */
    on(event: 'close', listener: (this: Part) => void): unknown
  }

/** One cache per kind: cores, drives, bees, stores, multifeeds and bases live apart. */
export interface Caches {
  cores: RefCache<Cacheable>
  drives: RefCache<Cacheable>
  bees: RefCache<Cacheable>
  stores: RefCache<Store>
  multifeeds: RefCache<Cacheable>
  bases: RefCache<Cacheable>
}

/** The SDK as its openers see it (set up by `SDK._open()`). */
export interface OpenContext {
  readonly store: Store
  readonly networker: NetworkerLike
  /** The networker, with topic handles counted over its `configure()` if it has no `join()`. */
  readonly net: Joinable<NetworkerLike>
  readonly autoJoin: boolean
  readonly joins: AutoJoin
  readonly caches: Caches
  readonly order: ClosingOrder
  /** The pairing service of `Autobase()` (undefined until the first base asks for it). */
  pairing: Pairing | null | undefined
  /**
   * Tracks a part the caller opened: closed by `close()` after what depends on it and before
   * what it depends on (`dependsOn`), and filed in `cache` under `refs`.
   */
  track<P extends Part>(
    part: P,
    dependsOn: ReadonlyArray<Closable | null | undefined>,
    cache?: RefCache<P> | RefCache<Cacheable> | null,
    refs?: readonly string[],
  ): P
  /** Once a part has opened: filed under its key too, and joined to the network. */
  partOpened<P extends Part & { key: Uint8Array | null }>(
    part: P,
    cache: RefCache<P> | RefCache<Cacheable>,
    core: Hypercore<unknown>,
  ): Promise<void>
  /** The key a domain ref resolves to, as a promise the part opens on (errors come from its `ready()`). */
  resolveDomain(domain: string): Promise<Uint8Array>
}
