// `Gossip`: a set of keys with deletions (a two-phase set) spread over a host's extension
// messages, wire-compatible with dat-gossip@1. It stays one file past ~400 lines because the set,
// what each peer is known to have, and the message handlers all read and write the same state;
// the wire format and its errors live in messages.ts and errors.ts.
import type {
  BinaryExtensionHandlers,
  ExtensionHost,
  GossipEvents,
  HostExtension,
  Listener,
} from '@dat-sdk/interfaces'
import ReadyResource from 'ready-resource'
import { GossipError, closedError, type GossipErrorCode } from './errors.js'
import {
  asBadMessage,
  decodeMessage,
  encodeChunks,
  encodedLength,
  normalizeKey,
} from './messages.js'

/** The extension name gossip uses by default, wire-compatible with dat-gossip. */
export const DEFAULT_EXTENSION = 'dat-gossip@1'
/** How many keys a peer may push into the set by default before `TOO_MANY_KEYS`. */
export const DEFAULT_MAX_KEYS = 10_000
/** The largest message accepted by default before `MESSAGE_TOO_LARGE`. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024
/** The smallest `maxMessageBytes` that still fits a message with one key and one deletion. */
export const MIN_MESSAGE_BYTES = encodedLength(1, 1)

export type { ExtensionHost, GossipEvents, HostExtension }

/** What gossip passes to `registerExtension`: raw bytes, which it parses itself. */
export type ExtensionHandlers<P> = BinaryExtensionHandlers<P>

/** Options for Gossip: its extension name and limits. */
export interface GossipOptions<P extends object = object> {
  /** The extension name (default `'dat-gossip@1'`). */
  extension?: string
  /** Caps the whole set, live keys and deleted keys together, ours included (default 10,000). */
  maxKeys?: number
  /** A larger incoming message is refused whole; outgoing messages are split to fit (default 1 MiB). */
  maxMessageBytes?: number
  /** Called with every error a remote causes, beside the `'extension-error'` event. */
  onerror?(err: GossipError, peer?: P): void
}

// Typed events (`GossipEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Gossip<P extends object = object> {
  /** Listens for a gossip event (`'key'`, `'error'`, `'ready'`, `'close'`). */
  on<K extends keyof GossipEvents<P>>(event: K, listener: Listener<GossipEvents<P>, K>): this
  /** Listens for a gossip event once. */
  once<K extends keyof GossipEvents<P>>(event: K, listener: Listener<GossipEvents<P>, K>): this
  /** Stops listening for a gossip event. */
  off<K extends keyof GossipEvents<P>>(event: K, listener: Listener<GossipEvents<P>, K>): this
  /** Emits a gossip event (the gossip's own use). */
  emit<K extends keyof GossipEvents<P>>(event: K, ...args: GossipEvents<P>[K]): boolean
}

/** Per peer: what it is not known to have yet, sent at the next flush. */
interface PeerState {
  keys: Set<string>
  deleted: Set<string>
}

/**
 * A grow-only set of 32-byte keys with deletions (a two-phase set), spread over an extension
 * message and wire-compatible with `dat-gossip@1`. Each peer is sent only what it is not known to
 * have: its whole set once when it connects, then each new key or deletion once.
 */
export class Gossip<P extends object = object> extends ReadyResource {
  /** The extension host gossip runs on. */
  readonly host: ExtensionHost<P>
  /** The extension name in use. */
  readonly extension: string
  /** How many keys a peer may push into the set. */
  readonly maxKeys: number
  /** The largest message accepted, in bytes. */
  readonly maxMessageBytes: number

  private readonly _keys = new Set<string>()
  private readonly _deleted = new Set<string>()
  private readonly _peers = new Map<P, PeerState>()
  private readonly _removed = new WeakSet<P>()
  private readonly _ext: HostExtension<P>
  private readonly _onerror: ((err: GossipError, peer?: P) => void) | null
  private _queued = false
  private _sendQueued = false
  private _changed = false

  constructor(host: ExtensionHost<P>, opts: GossipOptions<P> = {}) {
    super()
    const {
      extension = DEFAULT_EXTENSION,
      maxKeys = DEFAULT_MAX_KEYS,
      maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
      onerror,
    } = opts
    if (!host || typeof host.registerExtension !== 'function' || typeof host.on !== 'function') {
      throw new TypeError('Gossip needs a host with registerExtension(), peers and events')
    }
    if (typeof extension !== 'string' || extension.length === 0) {
      throw new TypeError('opts.extension must be a non-empty string')
    }
    if (!(maxKeys >= 0) || (maxKeys !== Infinity && !Number.isInteger(maxKeys))) {
      throw new RangeError('opts.maxKeys must be a whole number >= 0')
    }
    if (!(maxMessageBytes >= MIN_MESSAGE_BYTES)) {
      throw new RangeError(`opts.maxMessageBytes must be at least ${MIN_MESSAGE_BYTES}`)
    }
    this.host = host
    this.extension = extension
    this.maxKeys = maxKeys
    this.maxMessageBytes = maxMessageBytes
    this._onerror = typeof onerror === 'function' ? onerror : null

    this._onmessage = this._onmessage.bind(this)
    this._onhosterror = this._onhosterror.bind(this)
    this._onpeeradd = this._onpeeradd.bind(this)
    this._onpeerremove = this._onpeerremove.bind(this)
    this._flush = this._flush.bind(this)

    this._ext = host.registerExtension(extension, {
      encoding: 'binary',
      onmessage: this._onmessage,
      onerror: this._onhosterror,
    })
    host.on('peer-add', this._onpeeradd)
    host.on('peer-remove', this._onpeerremove)

    // Peers connected before we existed may have sent their set into the void. An empty message
    // (no keys, no deletions) is how a peer says "I know nothing": ours answer with their whole
    // set, and so does dat-gossip@1.0.0 (it broadcasts whenever a peer lacks one of its keys).
    const hello = encodeChunks([], [], this.maxMessageBytes)[0]
    for (const peer of this._hostPeers()) {
      this._peers.set(peer, { keys: new Set(), deleted: new Set() })
      this._send(hello, peer)
    }
    // Usable as soon as it is constructed (advertise, has, delete are synchronous); ready() has
    // nothing left to wait for, and is started here so `opened` is set.
    this.ready().catch(noop)
  }

  /** True once `close()` was called: traffic stops at once, not when the close settles. */
  private get _stopped(): boolean {
    return this.closing !== null
  }

  /**
   * Adds a 32-byte key to the set. With `broadcast` (the default) it goes out to every peer that
   * does not have it; without, it goes with the next `broadcast()` or the next message that does.
   * Returns false when the key was already there, or was deleted (a deleted key never comes back).
   * Throws `CLOSED` once closed.
   */
  advertise(data: Uint8Array, broadcast = true): boolean {
    this._checkOpen()
    const key = toKey(data)
    if (this._keys.has(key) || this._deleted.has(key)) return false
    this._keys.add(key)
    for (const state of this._peers.values()) state.keys.add(key)
    this._changed = true
    if (broadcast) this._sendQueued = true
    this._queue()
    return true
  }

  /**
   * Deletes a key, for good: every peer that hears of it drops it, and it does not come back from
   * a peer that still has it. Returns true when the key was in the live set.
   * Throws `CLOSED` once closed.
   */
  delete(data: Uint8Array): boolean {
    this._checkOpen()
    const key = toKey(data)
    if (this._deleted.has(key)) return false
    const live = this._keys.delete(key)
    this._deleted.add(key)
    for (const state of this._peers.values()) {
      state.keys.delete(key)
      state.deleted.add(key)
    }
    if (live) this._changed = true
    this._sendQueued = true
    this._queue()
    return live
  }

  /**
   * Sends every peer what it is not known to have yet (what `advertise(data, false)` held back).
   * Throws `CLOSED` once closed.
   */
  broadcast(): void {
    this._checkOpen()
    this._sendAll()
  }

  /** True when the key is in the live set. */
  has(data: Uint8Array): boolean {
    const key = normalizeKey(data instanceof Uint8Array ? hex(data) : null)
    return key !== null && this._keys.has(key)
  }

  /** The live set, sorted by hex. */
  list(): Uint8Array[] {
    return [...this._keys].sort().map((key) => Buffer.from(key, 'hex'))
  }

  protected override async _open(): Promise<void> {}

  /** Stops all traffic: unregisters the extension and the host listeners (the host stays open). */
  protected override async _close(): Promise<void> {
    this.host.off('peer-add', this._onpeeradd)
    this.host.off('peer-remove', this._onpeerremove)
    this._ext.destroy()
    this._peers.clear()
  }

  private _checkOpen(): void {
    if (this._stopped) throw closedError('gossip')
  }

  private _hostPeers(): readonly P[] {
    const peers = this.host.peers
    return typeof peers === 'function' ? (this.host.peers as () => readonly P[])() : peers
  }

  private _state(peer: P): PeerState {
    let state = this._peers.get(peer)
    if (state === undefined) {
      // A peer we were never told about: it has nothing from us yet.
      state = { keys: new Set(this._keys), deleted: new Set(this._deleted) }
      this._peers.set(peer, state)
      if (state.keys.size > 0 || state.deleted.size > 0) {
        this._sendQueued = true
        this._queue()
      }
    }
    return state
  }

  private _onpeeradd(peer: P): void {
    if (this._stopped) return
    this._removed.delete(peer)
    const state = this._peers.get(peer) ?? {
      keys: new Set(this._keys),
      deleted: new Set(this._deleted),
    }
    this._peers.set(peer, state)
    // Sent right away, from the 'peer-add' handler, so the first message is never lost.
    this._flushPeer(peer, state)
  }

  private _onpeerremove(peer: P): void {
    this._peers.delete(peer)
    this._removed.add(peer) // a message still in flight from it must not bring its state back
  }

  private _onhosterror(err: Error, peer?: P): void {
    if (!this._stopped) this._report(asBadMessage(err), peer)
  }

  // Runs inside the host's message handler: synchronous, never throws, never returns a promise.
  private _onmessage(bytes: Uint8Array, peer: P): void {
    if (this._stopped || this._removed.has(peer)) return
    let message
    try {
      message = decodeMessage(bytes, this.maxMessageBytes)
    } catch (err) {
      this._report(asBadMessage(err), peer)
      return
    }
    const state = this._state(peer)

    if (message.keys.length === 0 && message.deleted.length === 0) {
      // "I know nothing": send this peer everything again.
      for (const key of this._keys) state.keys.add(key)
      for (const key of this._deleted) state.deleted.add(key)
      if (state.keys.size > 0 || state.deleted.size > 0) this._sendQueued = true
      this._queue()
      return
    }

    let dropped = 0
    let queued = false
    for (const key of message.deleted) {
      state.deleted.delete(key)
      state.keys.delete(key)
      if (this._deleted.has(key)) continue
      const live = this._keys.has(key)
      if (!live && this._size() >= this.maxKeys) {
        dropped++
        continue
      }
      this._keys.delete(key)
      this._deleted.add(key)
      if (live) this._changed = true
      for (const [other, s] of this._peers) {
        s.keys.delete(key)
        if (other !== peer) {
          s.deleted.add(key)
          queued = true
        }
      }
    }
    for (const key of message.keys) {
      state.keys.delete(key)
      // A deleted key stays deleted; the sender hears of the deletion (pending for it unless sent).
      if (this._keys.has(key) || this._deleted.has(key)) continue
      if (this._size() >= this.maxKeys) {
        dropped++
        continue
      }
      this._keys.add(key)
      this._changed = true
      for (const [other, s] of this._peers) {
        if (other !== peer) {
          s.keys.add(key)
          queued = true
        }
      }
    }
    if (queued) this._sendQueued = true
    if (queued || this._changed) this._queue()
    if (dropped > 0) {
      this._report(
        new GossipError(
          'TOO_MANY_KEYS',
          `Dropped ${dropped} keys from a peer: the set is capped at ${this.maxKeys}`,
        ),
        peer,
      )
    }
  }

  private _size(): number {
    return this._keys.size + this._deleted.size
  }

  // Batches everything that happens in one tick (a burst of advertise() calls, a batch of incoming
  // messages) into one message per peer and one 'change' event.
  private _queue(): void {
    if (this._queued) return
    this._queued = true
    queueMicrotask(this._flush)
  }

  private _flush(): void {
    this._queued = false
    if (this._stopped) return
    if (this._sendQueued) this._sendAll()
    if (this._changed) {
      this._changed = false
      if (this.listenerCount('change') > 0) this.emit('change', this.list())
    }
  }

  private _sendAll(): void {
    this._sendQueued = false
    for (const [peer, state] of this._peers) this._flushPeer(peer, state)
  }

  private _flushPeer(peer: P, state: PeerState): void {
    if (state.keys.size === 0 && state.deleted.size === 0) return
    const chunks = encodeChunks([...state.keys], [...state.deleted], this.maxMessageBytes)
    state.keys.clear()
    state.deleted.clear()
    for (const chunk of chunks) this._send(chunk, peer)
  }

  private _send(message: Uint8Array, peer: P): void {
    try {
      this._ext.send(message, peer)
    } catch (err) {
      // A peer that went away between its last event and now: not worth more than a report.
      this._report(asGossipError(err, 'UNKNOWN_PEER'), peer)
    }
  }

  private _report(err: GossipError, peer?: P): void {
    if (this._onerror !== null) this._onerror(err, peer)
    this.emit('extension-error', err, peer)
  }
}

/** The seed's shape: `datGossip(host, opts)` is `new Gossip(host, opts)`. */
export function datGossip<P extends object = object>(
  host: ExtensionHost<P>,
  opts?: GossipOptions<P>,
): Gossip<P> {
  return new Gossip(host, opts)
}

function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex')
}

function toKey(data: Uint8Array): string {
  if (!(data instanceof Uint8Array) || data.byteLength !== 32) {
    throw new GossipError('INVALID_KEY', 'Gossip keys are 32-byte Uint8Arrays')
  }
  return hex(data)
}

/** A host's own error (it may carry no code) as one of ours, keeping a code it already has. */
function asGossipError(err: unknown, code: GossipErrorCode): GossipError {
  if (err instanceof GossipError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new GossipError(code, message, { cause: err })
}

function noop(): void {}
