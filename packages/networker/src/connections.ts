// The connections of a Networker: exactly one per remote public key (both ends agree which of two
// to keep), each replicating into the store, with the handshakes still under way tracked for
// flushing.
import b4a from 'b4a'
import Protomux from 'protomux'
import type { NetworkPeer, SwarmPeerInfo, SwarmSocket } from '@dat-sdk/interfaces'
import { DatSdkError, toHex } from '@dat-sdk/store'
import type { ChannelEntry } from './channels.js'

export interface Connection {
  readonly key: string
  readonly peer: NetworkPeer
  readonly mux: Protomux
  /** Extension channels open on this connection, by name. */
  readonly channels: Map<string, ChannelEntry>
  /** What the swarm said about the peer (Hyperswarm appends to its `topics` as lookups find it). */
  readonly info: SwarmPeerInfo
  /** `info.topics` as hex, and how many of them were read into it (the array only grows). */
  readonly topics: Set<string>
  topicsRead: number
  removed: boolean
}

export interface ConnectionsOptions {
  /** Our public key: a connection to it is to ourselves. */
  publicKey(): Uint8Array
  /** Replicates the store over a new connection; throws when the store is closed. */
  replicate(socket: SwarmSocket): void
  /** True once the owner closes: new connections are refused. */
  closing(): boolean
  /** Ms without a byte from the peer before its connection is dropped; 0: never (see below). */
  timeout: number
  onadd(conn: Connection): void
  onremove(conn: Connection): void
}

export class Connections {
  private readonly _opts: ConnectionsOptions
  private readonly _byKey = new Map<string, Connection>()
  private readonly _byPeer = new WeakMap<NetworkPeer, Connection>()
  private readonly _sockets = new Set<SwarmSocket>()
  private readonly _handshaking = new Set<Promise<void>>()

  constructor(opts: ConnectionsOptions) {
    this._opts = opts
  }

  /** The live connections, one per remote public key. */
  values(): IterableIterator<Connection> {
    return this._byKey.values()
  }

  /**
   * How many live connections go to peers that our lookups found on `topic` (hex). One pass over
   * the connections: each one's topics are read into a set once, as they arrive.
   */
  foundOn(topic: string): number {
    let found = 0
    for (const conn of this._byKey.values()) {
      const topics = conn.info.topics
      if (Array.isArray(topics)) {
        for (; conn.topicsRead < topics.length; conn.topicsRead++) {
          const t: unknown = topics[conn.topicsRead]
          if (t instanceof Uint8Array) conn.topics.add(toHex(t))
        }
      }
      if (conn.topics.has(topic)) found++
    }
    return found
  }

  /** Resolves once every connection opened so far finished (or failed) its handshake. */
  handshakes(): Promise<unknown> {
    return Promise.allSettled([...this._handshaking])
  }

  /** The live connection of `peer` (or of a peer object from an earlier connection to its key). */
  of(peer: NetworkPeer): Connection {
    const known = this._byPeer.get(peer)
    if (known && !known.removed) return known
    const key =
      peer && peer.remotePublicKey instanceof Uint8Array ? toHex(peer.remotePublicKey) : null
    const conn = key === null ? undefined : this._byKey.get(key)
    if (!conn) throw new DatSdkError('UNKNOWN_PEER', 'That peer is not connected')
    return conn
  }

  /** The swarm's `'connection'` listener. */
  onconnection(socket: SwarmSocket, info: SwarmPeerInfo): void {
    // A connection can end with an error at any time (the peer went away); that is not ours to throw.
    socket.on('error', noop)
    if (this._opts.closing()) {
      socket.destroy()
      return
    }
    this._sockets.add(socket)
    socket.once('close', () => this._sockets.delete(socket))

    const handshake: Promise<void> = Promise.resolve(socket.opened ?? true).then(
      (opened) => {
        this._handshaking.delete(handshake)
        if (opened) this._onopen(socket, info ?? {})
        else socket.destroy()
      },
      () => {
        this._handshaking.delete(handshake)
        socket.destroy()
      },
    )
    this._handshaking.add(handshake)
  }

  /** Ends every connection, resolving once each socket closed. */
  async endAll(): Promise<void> {
    await Promise.all([...this._sockets].map((socket) => endSocket(socket)))
  }

  private _onopen(socket: SwarmSocket, info: SwarmPeerInfo): void {
    if (this._opts.closing() || isGone(socket)) {
      socket.destroy()
      return
    }
    const ours = this._opts.publicKey()
    const remotePublicKey = socket.remotePublicKey ?? info.publicKey ?? null
    if (!remotePublicKey || b4a.equals(remotePublicKey, ours)) {
      // No identity, or a connection to ourselves: nothing to replicate with.
      socket.destroy()
      return
    }

    const key = toHex(remotePublicKey)
    const existing = this._byKey.get(key)
    if (existing) {
      if (!keepNew(ours, existing.peer.stream, socket, remotePublicKey)) {
        socket.destroy()
        return
      }
      this._remove(existing)
      existing.peer.stream.destroy()
    }

    try {
      this._opts.replicate(socket)
    } catch (err) {
      // The store is closed: this connection has nothing to carry.
      socket.destroy(err instanceof Error ? err : undefined)
      return
    }

    keepAliveAndTimeout(socket, this._opts.timeout)

    const peer: NetworkPeer = {
      remotePublicKey,
      remoteAddress: addressOf(socket),
      type: info.type ?? 'udx',
      client: socket.isInitiator === true,
      stream: socket,
    }
    const conn: Connection = {
      key,
      peer,
      mux: Protomux.from(socket),
      channels: new Map(),
      info,
      topics: new Set(),
      topicsRead: 0,
      removed: false,
    }
    this._byKey.set(key, conn)
    this._byPeer.set(peer, conn)
    socket.once('close', () => this._remove(conn))
    this._opts.onadd(conn)
  }

  private _remove(conn: Connection): void {
    if (conn.removed) return
    conn.removed = true
    if (this._byKey.get(conn.key) === conn) this._byKey.delete(conn.key)
    this._opts.onremove(conn)
  }
}

/**
 * Two connections to one peer: keep the one dialled by the side with the larger public key, the
 * rule both ends agree on; between two dialled the same way, the newer (the older one is stale).
 */
function keepNew(
  ours: Uint8Array,
  old: SwarmSocket,
  fresh: SwarmSocket,
  remotePublicKey: Uint8Array,
): boolean {
  const weAreLarger = b4a.compare(ours, remotePublicKey) > 0
  const freshPreferred = (fresh.isInitiator === true) === weAreLarger
  const oldPreferred = (old.isInitiator === true) === weAreLarger
  return freshPreferred || !oldPreferred
}

/**
 * How often we send a keep-alive on a connection that has nothing else to send, so that the other
 * end's timeout (ours: `timeout`, default 6 s) never fires on a live but idle connection.
 */
export const KEEP_ALIVE = 2000

/** Default `connectionTimeout`: a peer silent this long (ms) is taken for gone (issue 14). */
export const CONNECTION_TIMEOUT = 6000

/** The `connectionTimeout` option, checked: `CONNECTION_TIMEOUT` when not given, 0 for none. */
export function connectionTimeout(ms: number | undefined): number {
  if (ms === undefined) return CONNECTION_TIMEOUT
  if (typeof ms !== 'number' || !(ms >= 0)) {
    throw new TypeError('connectionTimeout must be a number of ms (0: none)')
  }
  return ms
}

/** A secret-stream's liveness controls (`@hyperswarm/secret-stream`). */
interface Liveness {
  setKeepAlive(ms: number): void
  setTimeout(ms: number): void
  sendKeepAlive(): void
}

function hasLiveness(socket: SwarmSocket): socket is SwarmSocket & Liveness {
  const s = socket as Partial<Liveness>
  return (
    typeof s.setKeepAlive === 'function' &&
    typeof s.setTimeout === 'function' &&
    typeof s.sendKeepAlive === 'function'
  )
}

/**
 * A SIGKILLed or unplugged peer sends nothing more, not even the reset that ends its connection:
 * UDX notices only after its retransmissions time out (about 13 s), and hypercore re-asks another
 * peer for the blocks in flight to it only when the connection closes (issue 14). So every
 * connection sends a keep-alive every `KEEP_ALIVE` ms when idle, and is destroyed after `timeout`
 * ms without a byte from the peer. Hyperswarm's own peers send keep-alives every 5 s, under the
 * 6 s default. Sockets that are not secret-streams (a custom `SwarmLike`) are left as they are.
 */
function keepAliveAndTimeout(socket: SwarmSocket, timeout: number): void {
  if (timeout <= 0 || !hasLiveness(socket)) return
  socket.setKeepAlive(Math.min(KEEP_ALIVE, timeout / 3))
  socket.setTimeout(timeout)
}

function addressOf(socket: SwarmSocket): string | null {
  const raw = socket.rawStream
  if (!raw || typeof raw.remoteHost !== 'string') return null
  return typeof raw.remotePort === 'number' ? `${raw.remoteHost}:${raw.remotePort}` : raw.remoteHost
}

function isGone(socket: SwarmSocket): boolean {
  return socket.destroyed || (socket as { destroying?: boolean }).destroying === true
}

function endSocket(socket: SwarmSocket): Promise<void> {
  if ((socket as { closed?: boolean }).closed === true) return Promise.resolve()
  return new Promise((resolve) => {
    socket.once('close', () => resolve())
    socket.destroy()
  })
}

function noop(): void {}
