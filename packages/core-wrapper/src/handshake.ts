import process from 'process'
import {
  ReadyLink,
  MAX_NAMES,
  asBadMessage,
  decodeReady,
  encodeReady,
  type DatSdkError,
  type Hypercore,
  type HypercorePeer,
  type ReadyListener,
} from '@dat-sdk/store'
import type { HypercoreExtension } from 'hypercore'
import { READY_EXTENSION } from './messages.js'

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
 * So the sender cannot know from hypercore when it is safe to send. The fix is the SDK's
 * `dat-sdk/ready@1` link (@dat-sdk/store's ready.ts): on 'peer-add' we open a protomux channel for
 * the core on the peer's connection. A remote that is not ours (a raw hypercore, hyper-sdk)
 * rejects it within one round trip, and from then on everything to it is sent directly, as the
 * raw stack would. A remote that is ours opens it (its Store pairs the protocol on every stream,
 * and its Cores on every connection they see), and each of its Cores announces there the
 * extension names the core handles (its own and any other session's, read from the peer's
 * extension map), when the peer is added and whenever it registers a new name. Messages to a peer
 * wait in a per-peer queue until the probe says 'raw' or the peer has announced that name, and
 * never longer than `handshakeTimeout`: a message that waited that long is sent anyway and its
 * name is sent directly from then on, and a peer that announces nothing within that time after it
 * was added (ours, with no Core on the core yet) gets everything directly. Each message is sent
 * once, at the first of those decision points. The user's payload bytes are unchanged, so a raw
 * hypercore that registered the same name with the same encoding interoperates.
 *
 * The older announcement on the `dat-sdk/ready@1` extension is still received and answered for
 * one release, so an older peer of ours (which rejects the probe) keeps its guarantee both ways.
 * A remote whose cores replicate through a plain Corestore of the user's, with no Core of ours on
 * the core when our probe arrives, rejects it too: it is treated as raw, and gets the raw stack's
 * behaviour (a message for a name it registers later is lost there).
 */

/** The longest a message waits for the peer to announce its name on `dat-sdk/ready@1`. */
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
  /** The core's `dat-sdk/ready@1` link on the peer's connection, shared by every Core on it. */
  link: ReadyLink
  listener: ReadyListener
  queue: Queued[]
  /** The peer, ours, said nothing within the timeout after it was added: send everything directly. */
  silent: boolean
  /** Names whose messages waited out the timeout: sent directly from then on. */
  direct: Set<string>
  helloTimer: ReturnType<typeof setTimeout> | null
  queueTimer: ReturnType<typeof setTimeout> | null
}

/**
 * The `dat-sdk/ready@1` handshake of one `Core`: probes and announces the Core's extension names
 * to each peer, and holds a peer's messages until it is known to handle their name (see above).
 */
export class Handshake {
  private readonly _session: Hypercore<unknown>
  private readonly _host: HandshakeHost
  private readonly _timeout: number
  private readonly _ext: HypercoreExtension<Uint8Array>
  private readonly _peers = new Map<HypercorePeer, PeerState>()

  constructor(session: Hypercore<unknown>, host: HandshakeHost, timeout: number) {
    this._session = session
    this._host = host
    this._timeout = timeout
    this._ext = session.registerExtension<Uint8Array>(READY_EXTENSION, {
      encoding: 'binary',
      onmessage: (bytes, raw) => this._onlegacy(bytes, raw),
    })
  }

  /** Starts the handshake with a peer the Core just added. */
  add(raw: HypercorePeer): void {
    const discoveryKey = this._session.discoveryKey
    if (this._peers.has(raw) || !discoveryKey || !raw.protomux) return
    const link = ReadyLink.of(raw.protomux, discoveryKey)
    const state: PeerState = {
      raw,
      link,
      listener: {
        onready: () => this._onlink(state),
        onerror: (err) => this._host.reject(err, raw),
      },
      queue: [],
      silent: false,
      direct: new Set(),
      helloTimer: null,
      queueTimer: null,
    }
    this._peers.set(raw, state)
    link.listeners.add(state.listener)
    // Announce once hypercore has finished adding the peer: it fills the peer's extension map
    // (which the announcement reads) session by session, after each session's 'peer-add'.
    queueMicrotask(() => {
      if (this._peers.get(raw) === state) this._announce(state)
    })
    if (!link.announced && link.status !== 'raw') {
      state.helloTimer = setTimeout(() => {
        state.helloTimer = null
        state.silent = true
        this._flush(state)
      }, this._timeout)
      state.helloTimer.unref?.()
    }
  }

  /**
   * Forgets a peer that left: its timers, and what still waited for it is dropped (the peer is
   * gone; a later connection is a new peer and gets a new 'peer-add').
   */
  remove(raw: HypercorePeer): void {
    const state = this._peers.get(raw)
    if (!state) return
    this._peers.delete(raw)
    this._stopTimers(state)
    state.queue = []
    state.link.listeners.delete(state.listener)
  }

  /** Sends `bytes` on extension `name` to `raw` now, or once it is known to handle `name`. */
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
    const names = this._handledNames(state.raw)
    state.link.announce(names)
    if (state.link.legacy) {
      state.raw.extension(READY_EXTENSION, encodeReady({ heard: true, names }))
    }
  }

  /** An announcement on the older extension: an older peer of ours. */
  private _onlegacy(bytes: Uint8Array, raw: HypercorePeer): void {
    try {
      if (!this._host.admit(raw)) return
      const state = this._peers.get(raw)
      if (!state) return
      let message
      try {
        message = decodeReady(bytes)
      } catch (err) {
        this._host.reject(asBadMessage(err, `A ${READY_EXTENSION} message`), raw)
        return
      }
      // It may not have been listening when ours went out: answer (hypercore hands the message
      // to one session only, and the names read from the peer's map cover the others).
      if (!message.heard) {
        const names = this._handledNames(raw)
        raw.extension(READY_EXTENSION, encodeReady({ heard: true, names }))
      }
      state.link.receiveLegacy(message.names)
    } catch (err) {
      // Never let anything escape into hypercore's message handler.
      rethrowLater(err)
    }
  }

  /** The link learnt something: the probe's answer, or names. */
  private _onlink(state: PeerState): void {
    if (this._peers.get(state.raw) !== state) return
    if (state.helloTimer && (state.link.announced || state.link.status === 'raw')) {
      clearTimeout(state.helloTimer)
      state.helloTimer = null
    }
    this._flush(state)
  }

  private _canSend(state: PeerState, name: string): boolean {
    if (state.direct.has(name)) return true
    const link = state.link
    if (link.announced) return link.names.has(name)
    if (link.status === 'raw') return true
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

  private _stopTimers(state: PeerState): void {
    if (state.helloTimer) clearTimeout(state.helloTimer)
    if (state.queueTimer) clearTimeout(state.queueTimer)
    state.helloTimer = state.queueTimer = null
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
