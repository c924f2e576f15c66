import process from 'process'
import { asBadMessage, type DatSdkError, type Hypercore, type HypercorePeer } from '@dat-sdk/store'
import type { HypercoreExtension } from 'hypercore'
import { MAX_NAMES, READY_EXTENSION, decodeReady, encodeReady } from './messages.js'

/*
 * First-message delivery, found by experiment on hypercore 11.37.1 / corestore 7.12.5 / protomux
 * 3.12.1 (two stores through replicatePair, and two Hyperswarms on a loopback testnet):
 *
 * - Hypercore emits 'peer-add' from `Peer.onopen`, i.e. when the REMOTE's channel-open has
 *   arrived. Protomux delivers a channel's messages in order, so the remote always processes our
 *   open before anything we send from 'peer-add': the wire itself loses nothing. When both sides
 *   registered the extension before the peers met, a message sent from 'peer-add' arrives
 *   (in both directions, over both transports).
 * - It is lost when the remote registers the extension after the connection opened its channel
 *   for this core: e.g. the remote opens the core, awaits `ready()` / `update()`, or wraps an
 *   already replicating session, and only then calls `registerExtension()`. Hypercore's
 *   `Peer.onextension` looks the name up in `peer.extensions` and silently drops a message whose
 *   name is not (yet) registered on the receiving side. Seen: the sender's 'peer-add' fired, it
 *   sent, and the remote, registering right after `await update({ wait: true })`, got nothing.
 *
 * So the sender cannot know from hypercore when it is safe to send. The fix is a handshake on a
 * separate control extension (`dat-sdk/ready@1`, see messages.ts): each Core tells each peer
 * which extension names the core handles (its own and any other session's, read from the
 * peer's extension map), when the peer is added, whenever it registers a new name, and in reply
 * to an announcement that says it has not heard from us yet (ours may have arrived before the
 * remote was listening). Messages to a peer wait in a per-peer queue until the peer has
 * announced that name, and never longer than `handshakeTimeout`: a message that waited that
 * long is sent anyway and its name is sent directly from then on, and a peer that announces
 * nothing within that time after it was added (a raw hypercore) gets everything directly. So
 * the worst case is the raw stack's behaviour, a little later. The user's payload bytes are
 * unchanged, so a raw hypercore that registered the same name with the same encoding
 * interoperates.
 */

/** The longest a message waits for the peer's `dat-sdk/ready@1` to list its name. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 2_000
/** Messages held per peer while it is not ready; past this the oldest are dropped. */
const MAX_QUEUE = 1_024

/** What the handshake asks of the `Core` it runs for (kept narrow so this module needs no `Core`). */
export interface HandshakeHost {
  /** The extension names the Core has registered. */
  extensionNames(): Iterable<string>
  /**
   * Makes `raw` a peer of the Core if it is not one yet (an announcement can arrive before this
   * session's 'peer-add'); false when the Core is closing.
   */
  admit(raw: HypercorePeer): boolean
  /** A malformed announcement from `raw` (`BAD_MESSAGE`). */
  reject(err: DatSdkError, raw: HypercorePeer): void
}

interface Queued {
  name: string
  bytes: Uint8Array
  /** When it stops waiting for the remote and is sent anyway. */
  deadline: number
}

/** What one Core knows about sending to one peer. */
interface PeerState {
  raw: HypercorePeer
  queue: Queued[]
  /** The peer said nothing within the timeout after it was added: send everything directly. */
  silent: boolean
  /** Names whose messages waited out the timeout: sent directly from then on. */
  direct: Set<string>
  helloTimer: ReturnType<typeof setTimeout> | null
  queueTimer: ReturnType<typeof setTimeout> | null
}

/**
 * What one remote (one replication peer of one core) told us, shared by the handshakes of every
 * Core that wraps a session of that core: hypercore routes an extension name to a single session,
 * so whichever handshake receives the announcement passes it on to the others. It hangs off the
 * raw peer it describes (under a key private to this module), so it lives exactly as long as that
 * peer and is shared by exactly the Cores that see it: no state outside the objects involved.
 */
interface RemoteState {
  announced: boolean
  names: Set<string>
  handshakes: Set<Handshake>
}

const REMOTE = Symbol('dat-sdk/ready@1 remote state')

type AnnouncingPeer = HypercorePeer & { [REMOTE]?: RemoteState }

function remoteOf(raw: HypercorePeer): RemoteState {
  const peer: AnnouncingPeer = raw
  let state = peer[REMOTE]
  if (!state) {
    state = { announced: false, names: new Set(), handshakes: new Set() }
    peer[REMOTE] = state
  }
  return state
}

/**
 * The `dat-sdk/ready@1` handshake of one `Core`: announces the Core's extension names to each
 * peer, and holds a peer's messages until it has announced their name (see above).
 */
export class Handshake {
  private readonly _host: HandshakeHost
  private readonly _timeout: number
  private readonly _ext: HypercoreExtension<Uint8Array>
  private readonly _peers = new Map<HypercorePeer, PeerState>()

  constructor(session: Hypercore<unknown>, host: HandshakeHost, timeout: number) {
    this._host = host
    this._timeout = timeout
    this._ext = session.registerExtension<Uint8Array>(READY_EXTENSION, {
      encoding: 'binary',
      onmessage: (bytes, raw) => this._onready(bytes, raw),
    })
  }

  /** Starts the handshake with a peer the Core just added. */
  add(raw: HypercorePeer): void {
    if (this._peers.has(raw)) return
    const state: PeerState = {
      raw,
      queue: [],
      silent: false,
      direct: new Set(),
      helloTimer: null,
      queueTimer: null,
    }
    this._peers.set(raw, state)
    const remote = remoteOf(raw)
    remote.handshakes.add(this)
    // Announce once hypercore has finished adding the peer: it fills the peer's extension map
    // (which the announcement reads) session by session, after each session's 'peer-add'.
    queueMicrotask(() => {
      if (this._peers.get(raw) === state) this._announce(state)
    })
    if (!remote.announced) {
      state.helloTimer = setTimeout(() => {
        state.helloTimer = null
        state.silent = true
        this._flush(state)
      }, this._timeout)
      state.helloTimer.unref?.()
    }
  }

  /** Forgets a peer that left: its timers and what still waited for it. */
  remove(raw: HypercorePeer): void {
    const state = this._peers.get(raw)
    if (!state) return
    this._peers.delete(raw)
    if (state.helloTimer) clearTimeout(state.helloTimer)
    if (state.queueTimer) clearTimeout(state.queueTimer)
    state.helloTimer = state.queueTimer = null
    state.queue = []
    remoteOf(raw).handshakes.delete(this)
  }

  /** Sends `bytes` on extension `name` to `raw` now, or once it has announced `name`. */
  send(raw: HypercorePeer, name: string, bytes: Uint8Array): void {
    const state = this._peers.get(raw)
    if (!state || this._canSend(state, name)) {
      raw.extension(name, bytes)
      return
    }
    state.queue.push({ name, bytes, deadline: Date.now() + this._timeout })
    if (state.queue.length > MAX_QUEUE) state.queue.shift()
    if (!state.queueTimer) this._armQueueTimer(state)
  }

  /** Tells every peer the names the Core handles now (after it registered a new one). */
  announceAll(): void {
    for (const state of this._peers.values()) this._announce(state)
  }

  /** Forgets every peer and stops listening for announcements. */
  destroy(): void {
    for (const raw of [...this._peers.keys()]) this.remove(raw)
    this._ext.destroy()
  }

  /** The names the Core handles for `raw`: its own, and any other session's hypercore routes. */
  private _handledNames(raw: HypercorePeer): string[] {
    const names = new Set(this._host.extensionNames())
    const routed: unknown = raw.extensions
    if (routed instanceof Map) {
      for (const name of routed.keys()) if (typeof name === 'string') names.add(name)
    }
    names.delete(READY_EXTENSION)
    return [...names].slice(0, MAX_NAMES)
  }

  private _announce(state: PeerState): void {
    const heard = remoteOf(state.raw).announced
    const names = this._handledNames(state.raw)
    state.raw.extension(READY_EXTENSION, encodeReady({ heard, names }))
  }

  private _onready(bytes: Uint8Array, raw: HypercorePeer): void {
    try {
      if (!this._host.admit(raw)) return
      let message
      try {
        message = decodeReady(bytes)
      } catch (err) {
        this._host.reject(asBadMessage(err, `A ${READY_EXTENSION} message`), raw)
        return
      }
      const remote = remoteOf(raw)
      remote.announced = true
      for (const name of message.names) remote.names.add(name)
      for (const handshake of [...remote.handshakes]) handshake._onRemoteReady(raw, message.heard)
    } catch (err) {
      // Never let anything escape into hypercore's message handler.
      rethrowLater(err)
    }
  }

  private _onRemoteReady(raw: HypercorePeer, heard: boolean): void {
    const state = this._peers.get(raw)
    if (!state) return
    if (state.helloTimer) {
      clearTimeout(state.helloTimer)
      state.helloTimer = null
    }
    if (!heard) this._announce(state)
    this._flush(state)
  }

  private _canSend(state: PeerState, name: string): boolean {
    if (state.direct.has(name)) return true
    const remote = remoteOf(state.raw)
    if (remote.announced) return remote.names.has(name)
    return state.silent
  }

  private _flush(state: PeerState): void {
    if (state.queue.length === 0) return
    const waiting: Queued[] = []
    for (const q of state.queue) {
      if (this._canSend(state, q.name)) state.raw.extension(q.name, q.bytes)
      else waiting.push(q)
    }
    state.queue = waiting
  }

  /** Sends what waited out the timeout (and, from then on, its name directly). */
  private _armQueueTimer(state: PeerState): void {
    if (state.queue.length === 0 || this._peers.get(state.raw) !== state) return
    const wait = Math.max(0, state.queue[0].deadline - Date.now())
    state.queueTimer = setTimeout(() => {
      state.queueTimer = null
      const now = Date.now()
      for (const q of state.queue) if (q.deadline <= now) state.direct.add(q.name)
      this._flush(state)
      this._armQueueTimer(state)
    }, wait)
    state.queueTimer.unref?.()
  }
}

/** Surfaces an application bug thrown inside hypercore's handlers without tearing its stream down. */
export function rethrowLater(err: unknown): void {
  process.nextTick(() => {
    throw err
  })
}
