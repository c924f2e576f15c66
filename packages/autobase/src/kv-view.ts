import { Readable } from 'stream'
import type { AutobaseHost, AutobaseNode, AutoStore } from 'autobase'
import Hyperbee, { type HyperbeeRange, type HyperbeeWatcher } from 'hyperbee'
import ReadyResource from 'ready-resource'
import type { MessageCodec } from '@dat-sdk/store'
import { applyMembership } from './membership.js'
import { OpType, readOp, type Op } from './messages.js'

// The default view is a Hyperbee of bytes: the Base encodes keys and values itself.
type BeeRange = HyperbeeRange<Uint8Array>
type BeeWatcher = HyperbeeWatcher<Uint8Array, Uint8Array>

/** One entry of the default view. */
export interface BaseEntry<K, T> {
  /** The entry's position in the view. */
  seq: number
  /** The entry's key, decoded. */
  key: K
  /** The entry's value, decoded. */
  value: T
}

/** A range of the default view (keys in the view's key encoding). */
export interface BaseRange<K> {
  /** Only keys greater than this. */
  gt?: K
  /** Only keys greater than or equal to this. */
  gte?: K
  /** Only keys less than this. */
  lt?: K
  /** Only keys less than or equal to this. */
  lte?: K
  /** Newest key first. */
  reverse?: boolean
  /** At most this many entries. */
  limit?: number
}

/** A read-only look at the default view at one version (what `watch()` yields). */
export interface BaseSnapshot<K, T> {
  /** The view's version this snapshot reads. */
  readonly version: number
  /** The entry for `key` in this snapshot, or null. */
  get(key: K): Promise<BaseEntry<K, T> | null>
  /** The entries in `range`, in key order, as they were in this snapshot. */
  createReadStream(range?: BaseRange<K>): AsyncIterable<BaseEntry<K, T>>
}

/** What `watch(range)` gives: an async iterable of `{ current, previous }`, and `close()`. */
export interface BaseWatcher<K, T> extends AsyncIterable<{
  current: BaseSnapshot<K, T>
  previous: BaseSnapshot<K, T>
}> {
  /** Stops watching; the iteration ends. */
  close(): Promise<void>
}

/** The default view: a Hyperbee on the view store's core `view`, keys and values as bytes. */
export function openKvView(store: AutoStore): Hyperbee {
  return new Hyperbee(store.get('view'), {
    keyEncoding: 'binary',
    valueEncoding: 'binary',
    extension: false,
  })
}

/** Applies `put`/`del` entries to the view in one batch; writer entries go to Autobase. */
export async function applyKv(
  nodes: Array<AutobaseNode<Uint8Array | null>>,
  bee: Hyperbee,
  host: AutobaseHost,
): Promise<void> {
  const batch = bee.batch({ update: false })
  for (const node of nodes) {
    const op = readOp(node.value)
    if (!op) continue
    if (op.type === OpType.PUT) await batch.put(op.key, op.value)
    else if (op.type === OpType.DEL) await batch.del(op.key)
    else await applyMembership(op, host)
  }
  await batch.flush()
}

/** What the key-value surface needs of its Base. */
export interface KvHost {
  /** The view, once the base is open: rejects `CLOSED`, or `NOT_SUPPORTED` for a custom view. */
  bee(): Promise<Hyperbee>
  /** Appends an entry to this peer's writer log. */
  append(op: Op): Promise<void>
}

/**
 * The default view as a Base shows it: keys and values in the base's encodings, reads of the
 * merged view, writes through the log. Closing it ends the watchers it made.
 */
export class KvView<K, T> extends ReadyResource {
  private readonly _host: KvHost
  private readonly _keys: MessageCodec<K>
  private readonly _values: MessageCodec<T>
  private readonly _watchers = new Set<BeeWatcher>()

  constructor(host: KvHost, keys: MessageCodec<K>, values: MessageCodec<T>) {
    super()
    this._host = host
    this._keys = keys
    this._values = values
  }

  protected override async _close(): Promise<void> {
    for (const w of this._watchers) await w.close().catch(noop)
    this._watchers.clear()
  }

  async put(key: K, value: T): Promise<void> {
    await this._host.bee()
    await this._host.append({
      type: OpType.PUT,
      key: this._keys.encode(key),
      value: this._values.encode(value),
    })
  }

  async del(key: K): Promise<void> {
    await this._host.bee()
    await this._host.append({ type: OpType.DEL, key: this._keys.encode(key) })
  }

  async get(key: K): Promise<BaseEntry<K, T> | null> {
    const bee = await this._host.bee()
    const e = await bee.get(this._keys.encode(key))
    return e ? this._entry(e) : null
  }

  createReadStream(range?: BaseRange<K>): Readable {
    const kv = this
    return Readable.from(
      (async function* () {
        const bee = await kv._host.bee()
        for await (const e of bee.createReadStream(kv._range(range))) yield kv._entry(e)
      })(),
    )
  }

  watch(range?: BaseRange<K>): BaseWatcher<K, T> {
    const kv = this
    let watcher: BeeWatcher | null = null
    let closed = false
    return {
      async close() {
        closed = true
        if (watcher) {
          kv._watchers.delete(watcher)
          await watcher.close()
        }
      },
      async *[Symbol.asyncIterator]() {
        const bee = await kv._host.bee()
        if (closed) return
        watcher = bee.watch(kv._range(range))
        kv._watchers.add(watcher)
        for await (const [current, previous] of watcher) {
          yield { current: kv._snapshot(current), previous: kv._snapshot(previous) }
        }
      },
    }
  }

  private _entry(e: { seq: number; key: Uint8Array; value: Uint8Array | null }): BaseEntry<K, T> {
    return { seq: e.seq, key: this._keys.decode(e.key), value: this._values.decode(e.value!) }
  }

  private _range(range: BaseRange<K> = {}): BeeRange {
    const out: BeeRange = {}
    if (range.gt !== undefined) out.gt = this._keys.encode(range.gt)
    if (range.gte !== undefined) out.gte = this._keys.encode(range.gte)
    if (range.lt !== undefined) out.lt = this._keys.encode(range.lt)
    if (range.lte !== undefined) out.lte = this._keys.encode(range.lte)
    if (range.reverse !== undefined) out.reverse = range.reverse
    if (range.limit !== undefined) out.limit = range.limit
    return out
  }

  private _snapshot(bee: Hyperbee): BaseSnapshot<K, T> {
    const kv = this
    return {
      version: bee.version,
      async get(key) {
        const e = await bee.get(kv._keys.encode(key))
        return e ? kv._entry(e) : null
      },
      async *createReadStream(range) {
        for await (const e of bee.createReadStream(kv._range(range))) yield kv._entry(e)
      },
    }
  }
}

function noop(): void {}
