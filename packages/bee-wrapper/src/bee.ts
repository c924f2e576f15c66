// `Bee`: one Hyperbee behind the SDK's part shape (open, header check, get/put/del, batches,
// ranges, watch, sub-bees, replicate, close). It stays one file past ~400 lines because every
// method goes through the same guarded, encoded access to one Hyperbee; key and value encodings
// and the shapes of its options live beside it (encoding.ts, shapes.ts, types.ts).
import crypto from 'crypto'
import {
  DatSdkError,
  HeaderCheck,
  toEncryptionKey,
  isCorestore,
  isStore,
  layout,
  parseRef,
  toURL,
  type Corestore,
  type Hypercore,
  type KeyLike,
  type Store,
} from '@dat-sdk/store'
import {
  CoreHost,
  guardStream,
  type Core,
  type GuardedSource,
  type Peer,
  type Structure,
} from '@dat-sdk/core-wrapper'
import type { Listener } from '@dat-sdk/interfaces'
import Hyperbee from 'hyperbee'
import type { HyperbeeEncoding, HyperbeeGetOptions, HyperbeeHistoryOptions } from 'hyperbee'
import type { HyperbeeDelOptions, HyperbeePutOptions } from 'hyperbee'
import { toHyperbeeEncoding } from './encoding.js'
import {
  closedError,
  isCore,
  isHyperbee,
  isHypercore,
  isSessionClosedError,
  openRaw,
} from './shapes.js'
import type {
  BeeBatch,
  BeeDiffEntry,
  BeeEntry,
  BeeEntryWatcher,
  BeeEvents,
  BeeHistoryEntry,
  BeeKeyOf,
  BeeOptions,
  BeeRange,
  BeeReadStream,
  BeeValueOf,
  BeeWatcher,
  SubOptions,
  SubOptionsLike,
} from './types.js'

export type * from './types.js'

// Named bees live in their own namespace, apart from named cores and drives: `new Bee(store, 'x')`,
// `store.get('x')` and `new Drive(store, 'x')` are three things with three keys (the storage
// layout is store's: `layout.bee(name)`, `layout.beeCore`).

/** A sub-database step: replayed on a snapshot to give the same sub of that version. */
interface SubStep {
  prefix: string | Uint8Array
  opts: { keyEncoding?: HyperbeeEncoding; valueEncoding?: HyperbeeEncoding; sep?: string }
}

/** What a view (a sub, a checkout or a snapshot) takes from the Bee that made it. */
interface ViewSource {
  parent: Bee<unknown, unknown>
  /** The raw bee to close with the view (a checkout's), or null (a sub shares its parent's). */
  owned: Hyperbee<unknown, unknown> | null
  /** The raw bee that watchers run on, and the sub steps from it to this view. */
  main: Hyperbee<unknown, unknown>
  steps: SubStep[]
}

// A Bee's sub(), checkout() and snapshot() hand the Bee they make where its raw bee came from,
// under an option key no caller outside this module can name: the view borrows its parent's Core
// for peers and extensions (as Drive's checkouts do), and closes only the raw bee made for it.
const VIEW_SOURCE = Symbol('view source')

interface ViewOptions<K, V> extends BeeOptions<K, V> {
  [VIEW_SOURCE]: ViewSource
}

function isViewOptions<K, V>(opts: BeeOptions<K, V>): opts is ViewOptions<K, V> {
  return VIEW_SOURCE in opts
}

/**
 * A Hyperbee (a B-tree key-value database on one hypercore) with the SDK's conveniences: open it
 * from a store by name or key, keys and values typed by their encodings, and peers and extension
 * messages on its core, as a `Core` has them.
 *
 * `new Bee(store, ref?, opts?)` opens a bee of the store (a name, a key in any spelling, or
 * nothing for a fresh one) and closes it on `close()`. `new Bee(hypercore | core | hyperbee, opts?)`
 * wraps one you have: the Bee works on a session of it and never closes what it was handed.
 */
export class Bee<K = Uint8Array, V = Uint8Array> extends CoreHost {
  /** The raw Hyperbee, for what this wrapper does not cover. */
  readonly hyperbee: Hyperbee<K, V>
  readonly extensions: readonly string[]

  /** Raw bees and sessions this Bee made and closes, last first. */
  private readonly _owned: Array<{ close(): Promise<void> }> = []
  private readonly _parent: Bee<unknown, unknown> | null
  private readonly _main: Hyperbee<unknown, unknown>
  private readonly _steps: SubStep[]
  private readonly _children = new Set<{ close(): Promise<void> }>()
  /** Block 0 must be the bee's header: a missing or wrong key gives `DECRYPTION_FAILED`. */
  private readonly _header: HeaderCheck

  constructor(source: Hyperbee<K, V> | Hypercore<unknown> | Core<unknown>, opts?: BeeOptions<K, V>)
  constructor(store: Store | Corestore, ref?: KeyLike | null, opts?: BeeOptions<K, V>)
  constructor(
    source: Store | Corestore | Hyperbee<K, V> | Hypercore<unknown> | Core<unknown>,
    refOrOpts?: KeyLike | null | BeeOptions<K, V>,
    maybeOpts?: BeeOptions<K, V>,
  ) {
    super()
    let opts: BeeOptions<K, V>
    let view: ViewSource | null = null
    // The hyperbee's core is a session this Bee made for itself alone (not a caller's hyperbee).
    let exclusive = true
    if (isStore(source) || isCorestore(source)) {
      opts = maybeOpts ?? {}
      const corestore = isStore(source) ? source.corestore : source
      const ref = parseRef(refOrOpts as KeyLike | null | undefined)
      const encryptionKey = toEncryptionKey(opts.encryptionKey)
      const encryption = encryptionKey ? { encryption: { key: encryptionKey } } : {}
      let session: Corestore
      let core: Hypercore<unknown>
      if (ref && 'key' in ref) {
        session = corestore.session()
        core = session.get({ key: ref.key, ...encryption })
      } else if (ref && 'name' in ref) {
        session = corestore.namespace(layout.bee(ref.name))
        core = session.get({ name: layout.beeCore, ...encryption })
      } else if (ref && 'domain' in ref) {
        throw new DatSdkError(
          'INVALID_KEY',
          `hyper://${ref.domain} is a domain: resolve it to a key first (the SDK's resolveName)`,
        )
      } else if (ref && 'folder' in ref) {
        throw new DatSdkError('INVALID_KEY', `${ref.folder} is a folder: a bee has no folder`)
      } else {
        session = corestore.namespace(crypto.randomBytes(32)) // a fresh bee
        core = session.get({ name: layout.beeCore, ...encryption })
      }
      this._owned.push(session)
      this.hyperbee = openRaw(core, opts)
      this._owned.push(this.hyperbee)
    } else if (isHyperbee<K, V>(source)) {
      opts = (refOrOpts as BeeOptions<K, V> | undefined) ?? {}
      view = isViewOptions(opts) ? opts[VIEW_SOURCE] : null
      this.hyperbee = source
      exclusive = false
      if (view?.owned) this._owned.push(view.owned)
    } else if (isCore(source) || isHypercore(source)) {
      opts = (refOrOpts as BeeOptions<K, V> | undefined) ?? {}
      const hypercore = isCore(source) ? source.hypercore : source
      this.hyperbee = openRaw(hypercore.session(), opts)
      this._owned.push(this.hyperbee)
    } else {
      throw new TypeError(
        'new Bee() takes a Store or Corestore (and a ref), or a Hypercore, Core or Hyperbee',
      )
    }
    this.extensions = [...(opts.extensions ?? [])]
    this._parent = view ? view.parent : null
    this._main = view ? view.main : this.hyperbee
    this._steps = view ? view.steps : []
    // A view reads its parent's core: the parent's check holds for it.
    this._header = view ? view.parent._header : HeaderCheck.ofHyperbee('bee', this.hyperbee)
    // Peers and extensions on the bee's core (on a session of its own when the hyperbee is the
    // caller's); a view borrows its parent's Core.
    this._hostCore(view ? view.parent._core : this.hyperbee.core, this.extensions, { exclusive })
    this.ready().catch(noop)
  }

  protected override async _open(): Promise<void> {
    if (this._parent) await this._parent.ready()
    await this.hyperbee.ready()
    await this._openHostedCore()
  }

  protected override async _close(): Promise<void> {
    await Promise.allSettled([...this._children].map((c) => c.close()))
    await this._closeHostedCore()
    for (const owned of this._owned.reverse()) await owned.close().catch(noop)
  }

  private _isClosed(): boolean {
    for (let b: Bee<unknown, unknown> | null = this; b; b = b._parent) if (b.closing) return true
    return false
  }

  protected _check(): void {
    if (this._isClosed()) throw closedError()
  }

  /** A read behind the header check (`DECRYPTION_FAILED`), as `_call` runs it. */
  private _read<R>(
    fn: () => Promise<R>,
    opts: { wait?: boolean; timeout?: number } | undefined,
    unverified: R,
  ): Promise<R> {
    const checkOpts = { wait: opts?.wait, timeout: opts?.timeout }
    return this._call(() => this._header.guard(fn, checkOpts, unverified))
  }

  /** A write: block 0, when here, must be the header (a wrong key would write garbage). */
  private _write<R>(fn: () => Promise<R>): Promise<R> {
    return this._call(async () => {
      await this._header.verify({ wait: false })
      this._header.assert()
      return fn()
    })
  }

  /** `make()`'s stream, behind the header check (see guardStream in core-wrapper). */
  private _guarded<T>(make: () => BeeReadStream<T> & GuardedSource<T>): BeeReadStream<T> {
    if (this._header.state === 'valid') return make()
    return guardStream(this._header, make, 'bee')
  }

  /** Runs `fn` once open; a call on a closed bee (or one closed under it) rejects with `CLOSED`. */
  private async _call<R>(fn: () => Promise<R>): Promise<R> {
    this._check()
    if (!this.opened) await this.ready()
    this._check()
    try {
      return await fn()
    } catch (err) {
      if (this._isClosed() || isSessionClosedError(err)) throw closedError(err)
      throw err
    }
  }

  /** Keeps `child` open no longer than this Bee. */
  private _adopt<C extends { close(): Promise<void>; once(event: 'close', fn: () => void): C }>(
    child: C,
  ): C {
    this._children.add(child)
    child.once('close', () => this._children.delete(child))
    return child
  }

  // ---- identity (key, discoveryKey, url, writable, readable, version: CoreHost's) ----------------

  /** True when the bee's core is encrypted (opened with an `encryptionKey`; known once ready). */
  get encrypted(): boolean {
    return this.hyperbee.core.encryption !== null
  }

  /**
   * The key the bee's core is encrypted with, or null: a secret, for the app to keep (the Bee
   * never puts it in a URL, a message or on the wire).
   */
  get encryptionKey(): Uint8Array | null {
    const encryption = this.hyperbee.core.encryption as { key?: unknown } | null
    return encryption && encryption.key instanceof Uint8Array ? encryption.key : null
  }

  protected get _structure(): Structure {
    return this.hyperbee
  }

  // ---- reads and writes ----------------------------------------------------------------------

  /**
   * The entry `{ seq, key, value }` of `key`, or null when there is none.
   * Rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed.
   */
  get(key: K, opts?: HyperbeeGetOptions): Promise<BeeEntry<K, V> | null> {
    return this._read(() => this.hyperbee.get(key, opts), opts, null)
  }

  put(key: K, value: V, opts?: HyperbeePutOptions<K, V>): Promise<void> {
    return this._write(() => this.hyperbee.put(key, value, opts))
  }

  del(key: K, opts?: HyperbeeDelOptions<K, V>): Promise<void> {
    return this._write(() => this.hyperbee.del(key, opts))
  }

  /**
   * Collects puts and dels and applies them as one atomic write on `flush()`.
   * Throws `CLOSED` once closed.
   */
  batch(): BeeBatch<K, V> {
    this._check()
    return this.hyperbee.batch()
  }

  /**
   * The first entry in `range` (the last with `reverse: true`), or null.
   * Rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed.
   */
  peek(range?: BeeRange<K>): Promise<BeeEntry<K, V> | null> {
    return this._read(() => this.hyperbee.peek(range ?? {}), undefined, null)
  }

  /** The entries in `range`, in key order (encoded bytes). Throws `CLOSED` once closed. */
  createReadStream(range?: BeeRange<K>): BeeReadStream<BeeEntry<K, V>> {
    this._check()
    return this._guarded(() => this.hyperbee.createReadStream(range))
  }

  /**
   * Every put and del, oldest first (`{ live: true }` goes on with new ones).
   * Throws `CLOSED` once closed.
   */
  createHistoryStream(opts?: HyperbeeHistoryOptions): BeeReadStream<BeeHistoryEntry<K, V>> {
    this._check()
    return this._guarded(() => this.hyperbee.createHistoryStream(opts))
  }

  /**
   * The keys that differ between this version and `otherVersion`, within `range`.
   * Throws `CLOSED` once closed.
   */
  createDiffStream(otherVersion: number, range?: BeeRange<K>): BeeReadStream<BeeDiffEntry<K, V>> {
    this._check()
    if (this._steps.length === 0) {
      return this._guarded(() => this.hyperbee.createDiffStream(otherVersion, range))
    }
    // A sub's own checkout would lose its prefix bounds: diff against the same sub of that version.
    const other = this._replay<K, V>(this._main.checkout(Math.max(1, otherVersion)))
    const stream = this.hyperbee.createDiffStream(other, range)
    stream.once('close', () => void other.core.close().catch(noop))
    return stream
  }

  /**
   * Waits for the latest version peers have (`{ wait: true }` waits for one to answer).
   * Rejects with `CLOSED` once closed.
   */
  update(opts?: { wait?: boolean }): Promise<boolean> {
    return this._call(() => this.hyperbee.update(opts))
  }

  // ---- views ---------------------------------------------------------------------------------

  /** The same sub steps as this view, on `base` (a raw bee or a snapshot of one). */
  private _replay<K2, V2>(base: Hyperbee<unknown, unknown>): Hyperbee<K2, V2> {
    let bee: Hyperbee<unknown, unknown> = base
    for (const step of this._steps) bee = bee.sub(step.prefix, step.opts)
    return bee as Hyperbee<K2, V2>
  }

  private _view<K2, V2>(raw: Hyperbee<K2, V2>, source: Omit<ViewSource, 'parent'>): Bee<K2, V2> {
    const opts: ViewOptions<K2, V2> = {
      [VIEW_SOURCE]: { parent: this as Bee<unknown, unknown>, ...source },
    }
    return this._adopt(new Bee<K2, V2>(raw, opts))
  }

  /**
   * A sub-database: the keys of this bee under `prefix` (and a separator), as a Bee of its own
   * with its own encodings (this bee's by default). It shares this bee's core, peers and
   * extensions; closing it closes nothing of this bee, and it closes with this bee. Its types
   * follow its encodings (`sub('n', { valueEncoding: c.uint })` gives a `Bee<K, number>`), or
   * explicit ones (`sub<string, Doc>(...)`).
   */
  sub<O extends SubOptionsLike = {}>(
    prefix: string | Uint8Array,
    opts?: O,
  ): Bee<BeeKeyOf<O, K>, BeeValueOf<O, V>>
  sub<K2 = K, V2 = V>(prefix: string | Uint8Array, opts?: SubOptions<K2, V2>): Bee<K2, V2>
  sub<K2, V2>(prefix: string | Uint8Array, opts: SubOptions<K2, V2> = {}): Bee<K2, V2> {
    this._check()
    const step: SubStep = { prefix, opts: {} }
    if (opts.keyEncoding !== undefined) {
      step.opts.keyEncoding = toHyperbeeEncoding<K2>(opts.keyEncoding)
    }
    if (opts.valueEncoding !== undefined) {
      step.opts.valueEncoding = toHyperbeeEncoding<V2>(opts.valueEncoding)
    }
    if (opts.sep !== undefined) step.opts.sep = opts.sep
    const raw = this.hyperbee.sub<K2, V2>(prefix, step.opts)
    return this._view(raw, { owned: null, main: this._main, steps: [...this._steps, step] })
  }

  /**
   * The bee as it was at `version`: a read-only Bee; close it when done (it closes with this bee).
   * Throws `CLOSED` once closed.
   */
  checkout(version: number): Bee<K, V> {
    this._check()
    if (!Number.isInteger(version) || version < 0) {
      throw new TypeError('checkout() takes a version: a non-negative integer')
    }
    const raw = this._main.checkout(version)
    return this._view(this._replay<K, V>(raw), { owned: raw, main: raw, steps: this._steps })
  }

  /**
   * The bee as it is now, unchanged by later writes: a read-only Bee; close it when done.
   * Throws `CLOSED` once closed.
   */
  snapshot(): Bee<K, V> {
    this._check()
    const raw = this._main.snapshot()
    return this._view(this._replay<K, V>(raw), { owned: raw, main: raw, steps: this._steps })
  }

  // ---- watching ------------------------------------------------------------------------------

  private _checkWatchable(): void {
    this._check()
    if (this._main !== this._parentMain()) {
      throw new TypeError('A checkout or snapshot does not change: watch the live bee')
    }
  }

  private _parentMain(): Hyperbee<unknown, unknown> {
    let b: Bee<unknown, unknown> = this as Bee<unknown, unknown>
    while (b._parent) b = b._parent
    return b._main
  }

  /**
   * Yields `[current, previous]` snapshots (raw hyperbees, closed by the watcher as it moves on)
   * each time an entry in `range` changes. Stop it with `watcher.close()` (it also stops when the
   * bee closes). On a sub, the snapshots are of the sub.
   */
  watch(range?: BeeRange<K>): BeeWatcher<K, V> {
    this._checkWatchable()
    if (this._steps.length === 0) return this._adopt(this.hyperbee.watch(range))
    const sub = (snapshot: Hyperbee<K, V>) => this._replay<K, V>(snapshot)
    const main = this._main as Hyperbee<K, V>
    const watcher = main.watch(range, {
      map: sub,
      differ: (current, previous, r) => sub(current).createDiffStream(sub(previous), r),
    })
    return this._adopt(watcher)
  }

  /**
   * Watches one key: the watcher emits `'update'` when its entry changes, `node` is the entry now.
   * Rejects with `CLOSED` once closed.
   */
  getAndWatch(key: K): Promise<BeeEntryWatcher<K, V>> {
    return this._call(async () => {
      this._checkWatchable()
      // The watcher hands out the entry: block 0 first, when the bee has blocks.
      await this._header.verify()
      this._header.assert()
      const main = this._main as Hyperbee<K, V>
      const watcher =
        this._steps.length === 0
          ? await main.getAndWatch(key)
          : await main.getAndWatch(key, {
              // A sub's key encoding adds its prefix: the main bee reads the sub's key with it.
              keyEncoding: this.hyperbee.keyEncoding ?? undefined,
              valueEncoding: this.hyperbee.valueEncoding ?? undefined,
            })
      return this._adopt(watcher)
    })
  }
}

// Typed events on top of the EventEmitter methods ReadyResource brings.
export interface Bee<K, V> {
  on<E extends keyof BeeEvents>(event: E, listener: Listener<BeeEvents, E>): this
  once<E extends keyof BeeEvents>(event: E, listener: Listener<BeeEvents, E>): this
  off<E extends keyof BeeEvents>(event: E, listener: Listener<BeeEvents, E>): this
  emit<E extends keyof BeeEvents>(event: E, ...args: BeeEvents[E]): boolean
}

function noop(): void {}
