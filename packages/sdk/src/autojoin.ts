// autoJoin: each core, drive, bee, base and multifeed the SDK opens joins its discovery key on the
// networker through a counted topic handle, and `flush()` waits for those joins.
import type { Joinable } from '@dat-sdk/networker'
import type { Hypercore } from '@dat-sdk/store'
import type { NetworkerLike, Topic } from '@dat-sdk/interfaces'

/** How long a read-only part waits, after its lookup, for a connection to offer its core. */
const FIRST_PEER_WAIT = 3_000

/** A part that joins: it says when it closes (its handle is then released). */
export interface JoiningPart {
  readonly closing: Promise<void> | null
  ready(): Promise<unknown>
  once(event: 'close', listener: () => void): unknown
}

export class AutoJoin {
  private readonly _net: Joinable<NetworkerLike>
  private readonly _closing: () => boolean
  /**
   * What `flush()` waits for, per part, while it is pending: a settled join leaves nothing to
   * wait for, and a seeder's thousand parts each kept a settled promise here (see `_pending`).
   */
  private readonly _flushes = new Map<object, Promise<unknown>>()
  /** Each joined part's topic handle, destroyed by `release()`. */
  private readonly _handles = new Map<object, Topic>()

  /** `closing()` says the SDK is closing: the networker then leaves every topic itself. */
  constructor(net: Joinable<NetworkerLike>, closing: () => boolean) {
    this._net = net
    this._closing = closing
  }

  /** Resolves once each part opened and its join (if any) went round the network. */
  async flush(parts: ReadonlyArray<{ ready(): Promise<unknown> }>): Promise<void> {
    await Promise.allSettled(parts.map((p) => p.ready()))
    await Promise.allSettled(parts.map((p) => this._flushes.get(p)))
  }

  /**
   * Joins `topic` for `part` until `release(part)` (the SDK calls it when the part closes);
   * `flush()` waits for the join's flush.
   */
  join(part: JoiningPart, topic: Uint8Array, announce: boolean): Topic {
    const handle = this._net.join(topic, { announce, lookup: true })
    this._pending(part, handle.flushed().catch(noop))
    this._handles.set(part, handle)
    return handle
  }

  /** Makes `flush(part)` wait for `done` too (a multifeed's own join), until `release(part)`. */
  track(part: JoiningPart, done: Promise<unknown>): void {
    this._pending(part, done)
  }

  /** `flush()` waits for `done` for `part` (instead of what it waited for before) until it settles. */
  private _pending(part: object, done: Promise<unknown>): void {
    this._flushes.set(part, done)
    const settled = () => {
      if (this._flushes.get(part) === done) this._flushes.delete(part)
    }
    done.then(settled, settled)
  }

  /** `part` closed: its topic is left (unless the SDK is closing, which leaves every topic). */
  release(part: object): void {
    this._flushes.delete(part)
    const handle = this._handles.get(part)
    if (!handle) return
    this._handles.delete(part)
    if (!this._closing()) handle.destroy().catch(noop)
  }

  /**
   * Joins a core's discovery key: looks it up, and announces it when writable. A reader announces
   * it too once it holds a block of it (see `_announceOnceHeld`), so that the readers of one core
   * find each other and serve each other what they hold: a flash crowd then shares the author's
   * upload (as hyper-sdk's readers, which announce, do). A read-only part that has nothing yet
   * waits for the first lookup, and for the peers it found to say what they have.
   */
  async core(part: JoiningPart, core: Hypercore<unknown>): Promise<void> {
    if (this._closing() || !core.discoveryKey) return
    const writable = core.writable
    const topic = this.join(part, core.discoveryKey, writable)
    if (!writable) this._announceOnceHeld(part, core, core.discoveryKey)
    // While this is held, hypercore's update() and get() wait for peers instead of giving up.
    const done = writable ? noop : core.findingPeers()
    const joined = this._flushedOrPeer(core, topic.flushed())
      .then(() => this._firstPeer(core))
      .then(async () => {
        // Ask the peers found what they have while still "finding peers", so update() waits for
        // their answer; with no peer it would wait for the finding to end, so skip it then.
        if (!writable && core.peers.length > 0 && !core.closing) await core.update().catch(noop)
      })
      .finally(done)
    this._pending(part, joined)
    if (writable || core.length > 0) return
    await joined
  }

  /**
   * A reader announces the core once it holds a block: then it has something to serve, and the
   * crowd's later announces and lookups find it. Not at once: a first announce makes the swarm
   * start its DHT server (a round of its own on the DHT), and the reader's lookup, and with it
   * the first block, would wait behind it (the sdk bench's URL-to-first-block row fell from 0.92
   * to 0.73 of raw).
   */
  private _announceOnceHeld(part: JoiningPart, core: Hypercore<unknown>, dk: Uint8Array): void {
    let handle: Topic | null = null
    const announce = () => {
      if (handle || part.closing || core.closing || this._closing()) return
      handle = this._net.join(dk, { announce: true, lookup: true })
    }
    // On the turn after the block came: the read waiting for it goes first.
    const ondownload = () => {
      core.off('download', ondownload)
      setImmediate(announce)
    }
    part.once('close', () => {
      core.off('download', ondownload)
      if (handle && !this._closing()) handle.destroy().catch(noop)
    })
    if (core.contiguousLength > 0) announce()
    else core.on('download', ondownload)
  }

  /**
   * The lookup went round, or a peer already offers the core (a peer kept with `joinPeer()`, a
   * blind peer, answers before a lookup that has dead DHT nodes to wait out): whichever is first.
   */
  private _flushedOrPeer(core: Hypercore<unknown>, flushed: Promise<void>): Promise<void> {
    if (core.peers.length > 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const done = () => {
        core.off('peer-add', done)
        core.off('close', done)
        resolve()
      }
      core.on('peer-add', done)
      core.on('close', done)
      flushed.then(done, done)
    })
  }

  /**
   * After a lookup, the connections it made are open but the core's replication channel on them
   * opens a round trip later: wait for the core's first peer (briefly, as a connection may be to
   * a peer that does not have this core), so that `update()` asks it.
   */
  private async _firstPeer(core: Hypercore<unknown>): Promise<void> {
    if (core.peers.length > 0 || this._net.peers.length === 0 || core.closing) return
    await new Promise<void>((resolve) => {
      const onevent = () => {
        clearTimeout(timer)
        core.off('peer-add', onevent)
        core.off('close', onevent)
        resolve()
      }
      const timer = setTimeout(onevent, FIRST_PEER_WAIT)
      timer.unref?.()
      core.on('peer-add', onevent)
      core.on('close', onevent)
    })
  }
}

function noop(): void {}
