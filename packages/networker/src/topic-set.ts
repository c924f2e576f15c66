// Counting users of topics: one implementation, used by Networker over its swarm and by the sdk
// over a custom `NetworkerLike` that has `configure()` but no `join()`.
import type { JoinOptions, NetworkerLike, Topic } from '@dat-sdk/interfaces'
import { DatSdkError, toHex } from '@dat-sdk/store'
import { SETTLED, holdWhilePending } from './settled.js'

/** How a topic is joined: the union of what its users asked for. */
export interface TopicMode {
  /** Whether to announce the topic. */
  announce: boolean
  /** Whether to look up peers on the topic. */
  lookup: boolean
}

/**
 * Makes the network join `topic` as `mode` (both false: leave it), resolving once it was announced
 * / looked up. Calls for one topic come in order and must take effect in that order. `hex` is the
 * topic in hex, the key the set files it under (a seeder keeps one copy of it for each topic).
 */
export type ApplyTopic = (topic: Uint8Array, mode: TopicMode, hex: string) => Promise<void>

interface Entry {
  readonly topic: Uint8Array
  /** The topic in hex: its key here and in what `apply` keeps. */
  readonly hex: string
  /** Its handles (a list: most topics have one or two, and a Set's table is 150 bytes). */
  handles: TopicHandle[]
  /** The hold of `configure()`, the one user without a handle. */
  configured: TopicMode | null
  mode: TopicMode
  applied: Promise<void>
}

/**
 * Counted holds on topics over one `apply` function: a topic stays joined until its last user
 * (a handle from `join()`, or the `configure()` hold) lets go, joined as the union of their modes.
 */
export class TopicSet {
  private readonly _apply: ApplyTopic
  private readonly _entries = new Map<string, Entry>()

  constructor(apply: ApplyTopic) {
    this._apply = apply
  }

  /** A handle on `topic`; destroying it leaves the topic only if it was the last user. */
  join(topic: Uint8Array, opts: JoinOptions = {}): Topic {
    const mode = modeOf(opts)
    if (!mode.announce && !mode.lookup) {
      throw new TypeError('join() needs announce or lookup (or both); to leave, destroy the handle')
    }
    const entry = this._entry(topic)
    const handle = new TopicHandle(this, entry.topic, mode)
    // concat() makes a list of its own size (push and spread reserve 16 more slots, 128 bytes).
    entry.handles = entry.handles.concat([handle])
    this._update(entry)
    return handle
  }

  /**
   * The `configure()` user: sets its hold to `mode`, or releases it when both are false (other
   * users keep the topic). Resolves once the topic is joined as the new union (or left).
   */
  configure(topic: Uint8Array, opts: JoinOptions = {}): Promise<void> {
    const mode = modeOf(opts)
    const hex = toHex(topic)
    if (!mode.announce && !mode.lookup) {
      const entry = this._entries.get(hex)
      if (!entry || entry.configured === null) return Promise.resolve()
      entry.configured = null
      return this._update(entry)
    }
    const entry = this._entry(topic)
    entry.configured = mode
    return this._update(entry)
  }

  /** True while some user holds `topic`. */
  has(topic: Uint8Array): boolean {
    return this._entries.has(toHex(topic))
  }

  /** The topics held now. */
  topics(): Uint8Array[] {
    return [...this._entries.values()].map((e) => e.topic)
  }

  /** Forgets every hold without applying anything (the network is closing and leaves them all). */
  clear(): void {
    for (const entry of this._entries.values()) {
      for (const handle of entry.handles) handle._released()
    }
    this._entries.clear()
  }

  /** @internal */
  _flushed(handle: TopicHandle): Promise<void> {
    const entry = this._entries.get(toHex(handle.topic))
    if (!entry || !entry.handles.includes(handle)) {
      return Promise.reject(new DatSdkError('CLOSED', 'This topic handle was destroyed'))
    }
    return entry.applied
  }

  /** @internal */
  _release(handle: TopicHandle): Promise<void> {
    const entry = this._entries.get(toHex(handle.topic))
    const at = entry ? entry.handles.indexOf(handle) : -1
    if (!entry || at < 0) return Promise.resolve()
    entry.handles.splice(at, 1)
    return this._update(entry)
  }

  private _entry(topic: Uint8Array): Entry {
    if (!(topic instanceof Uint8Array) || topic.byteLength !== 32) {
      throw new DatSdkError('INVALID_KEY', 'A topic is 32 bytes')
    }
    const hex = toHex(topic)
    let entry = this._entries.get(hex)
    if (!entry) {
      entry = { topic, hex, handles: [], configured: null, mode: LEFT, applied: SETTLED }
      this._entries.set(hex, entry)
    }
    return entry
  }

  /** Applies the union of `entry`'s users if it changed; leaves the topic when none is left. */
  private _update(entry: Entry): Promise<void> {
    let announce = false
    let lookup = false
    for (const user of [entry.configured, ...entry.handles]) {
      if (!user) continue
      announce ||= user.announce
      lookup ||= user.lookup
    }
    const mode = modeFor(announce, lookup)
    if (mode === entry.mode) return entry.applied
    entry.mode = mode
    if (mode === LEFT) this._entries.delete(entry.hex)
    const applied = call(this._apply, entry, mode)
    // Once it is done, the topic holds the shared settled promise (a failed one stays, so each
    // caller that waits sees its error).
    holdWhilePending(entry, 'applied', applied)
    return applied
  }
}

/** One user's hold on a topic of a `TopicSet`. */
class TopicHandle implements Topic {
  readonly topic: Uint8Array
  readonly announce: boolean
  readonly lookup: boolean
  private readonly _set: TopicSet
  private _left: Promise<void> | null = null

  constructor(set: TopicSet, topic: Uint8Array, mode: TopicMode) {
    this._set = set
    this.topic = topic
    this.announce = mode.announce
    this.lookup = mode.lookup
  }

  flushed(): Promise<void> {
    return this._set._flushed(this)
  }

  destroy(): Promise<void> {
    if (!this._left) this._left = this._set._release(this)
    return this._left
  }

  /** @internal The set was cleared: nothing left to release. */
  _released(): void {
    this._left ??= Promise.resolve()
  }
}

/** A networker whose `join()` is there. */
export type Joinable<N extends NetworkerLike = NetworkerLike> = N & {
  join(topic: Uint8Array, opts?: JoinOptions): Topic
}

/**
 * `networker` itself when it has `join()`; otherwise a view of it whose `join()` counts users over
 * its `configure()`, so that several users of one topic on a custom networker do not leave it for
 * one another. Call it once per networker and share the result.
 */
export function withTopicHandles<N extends NetworkerLike>(networker: N): Joinable<N> {
  if (typeof networker.join === 'function') return networker as Joinable<N>
  const topics = new TopicSet((topic, mode) => networker.configure(topic, { ...mode, flush: true }))
  const join = (topic: Uint8Array, opts?: JoinOptions): Topic => topics.join(topic, opts)
  // A Proxy rather than a copy: getters (`peers`) and private fields keep working on the original.
  return new Proxy(networker, {
    get(target, prop) {
      if (prop === 'join') return join
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as Joinable<N>
}

function modeOf(opts: JoinOptions): TopicMode {
  return modeFor(opts.announce !== false, opts.lookup !== false)
}

/** The four modes, one object each (a topic holds its mode for as long as it is joined). */
const LEFT: TopicMode = Object.freeze({ announce: false, lookup: false })
const MODES: readonly TopicMode[] = [
  LEFT,
  Object.freeze({ announce: false, lookup: true }),
  Object.freeze({ announce: true, lookup: false }),
  Object.freeze({ announce: true, lookup: true }),
]

function modeFor(announce: boolean, lookup: boolean): TopicMode {
  return MODES[(announce ? 2 : 0) + (lookup ? 1 : 0)]!
}

function call(apply: ApplyTopic, entry: Entry, mode: TopicMode): Promise<void> {
  try {
    return Promise.resolve(apply(entry.topic, mode, entry.hex))
  } catch (err) {
    return Promise.reject(err)
  }
}
