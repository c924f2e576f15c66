import b4a from 'b4a'
import c from 'compact-encoding'
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import Protomux, { type Channel, type Message } from 'protomux'
import ReadyResource from 'ready-resource'
import { DatSdkError, toHex, toKey, type KeyLike } from '@dat-sdk/store'
import {
  StreamExtension,
  type ExtensionTransport,
  type StreamExtensionHandlers,
} from './extension.js'
import type {
  ExtensionHost,
  NetworkPeer,
  NetworkerEvents,
  NetworkerLike,
  SwarmConnectionListener,
  SwarmDiscovery,
  SwarmKeyPair,
  SwarmLike,
  SwarmPeerInfo,
  SwarmSocket,
  Listener,
} from '@dat-sdk/interfaces'

/** The protomux protocol of connection-level extensions; the channel id is the name in UTF-8. */
export const EXTENSION_PROTOCOL = 'dat-sdk/ext'

/** How many channels for names we have not registered a remote may open on one connection. */
const MAX_UNREGISTERED_CHANNELS = 64

/**
 * When a joined topic is looked up again (ms after its first flush). Two peers that join at the
 * same moment each look the topic up before the other's announcement is stored, and Hyperswarm
 * would only look again ten minutes later; a few early refreshes let them meet within seconds.
 */
const REFRESH_DELAYS = [1_000, 4_000, 15_000]

export interface NetworkerOptions {
  /** A swarm to use instead of a Hyperswarm of our own. The networker does not destroy it. */
  swarm?: SwarmLike
  /** DHT bootstrap nodes of the Hyperswarm the networker makes (`'host:port'` strings work too). */
  bootstrap?: Array<{ host: string; port: number } | string>
  /** The Noise key pair of the Hyperswarm the networker makes (ignored with `swarm`). */
  keyPair?: SwarmKeyPair
  /**
   * The address the DHT binds. Default: `127.0.0.1` when every bootstrap node is on loopback (a
   * local testnet), otherwise every interface.
   */
  host?: string
  /**
   * Whether the DHT node assumes it cannot be reached. Default: false on a loopback testnet (so
   * processes on one machine reach each other), HyperDHT's own guess otherwise.
   */
  firewalled?: boolean
}

export interface ConfigureOptions {
  /** Announce the topic so others find us (default true). */
  announce?: boolean
  /** Look the topic up and connect to who announces it (default true). */
  lookup?: boolean
  /** Resolve only once the topic was flushed and every connection made so far shook hands (default true). */
  flush?: boolean
}

/** Anything that replicates into a duplex stream: a Corestore, a `Store`, a Hypercore. */
export interface Replicator {
  replicate(stream: SwarmSocket): unknown
}

interface JoinedTopic {
  discoveryKey: Uint8Array
  session: SwarmDiscovery
  announce: boolean
  lookup: boolean
  flushed: boolean
  flushing: Promise<void> | null
  refreshes: number
  timer: ReturnType<typeof setTimeout> | null
}

interface ChannelEntry {
  channel: Channel
  message: Message<Uint8Array>
}

interface Connection {
  readonly key: string
  readonly peer: NetworkPeer
  readonly mux: Protomux
  readonly channels: Map<string, ChannelEntry>
  removed: boolean
}

// Typed events (`NetworkerEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Networker {
  on<K extends keyof NetworkerEvents>(event: K, listener: Listener<NetworkerEvents, K>): this
  once<K extends keyof NetworkerEvents>(event: K, listener: Listener<NetworkerEvents, K>): this
  off<K extends keyof NetworkerEvents>(event: K, listener: Listener<NetworkerEvents, K>): this
  emit<K extends keyof NetworkerEvents>(event: K, ...args: NetworkerEvents[K]): boolean
}

/**
 * Joins discovery keys on Hyperswarm (or any `SwarmLike`), keeps exactly one connection per
 * remote public key, replicates every connection into a store, and carries connection-level
 * extension messages on the same mux.
 *
 * Events: `'peer-add' (peer)`, `'peer-remove' (peer)`, `'flushed' (discoveryKey)`,
 * `'extension-error' (err, peer)`.
 */
export class Networker
  extends ReadyResource
  implements ExtensionTransport, NetworkerLike<NetworkPeer>, ExtensionHost<NetworkPeer>
{
  readonly store: Replicator
  readonly swarm: SwarmLike
  private readonly _ownsSwarm: boolean
  private readonly _topics = new Map<string, JoinedTopic>()
  private readonly _connections = new Map<string, Connection>()
  private readonly _sockets = new Set<SwarmSocket>()
  private readonly _handshaking = new Set<Promise<void>>()
  private readonly _extensions = new Map<string, Set<StreamExtension<never>>>()
  private readonly _byPeer = new WeakMap<NetworkPeer, Connection>()
  private readonly _onconnectionBound: SwarmConnectionListener

  constructor(store: Replicator, opts: NetworkerOptions = {}) {
    super()
    if (!store || typeof store.replicate !== 'function') {
      throw new TypeError(
        'new Networker(store) needs something with replicate(stream), e.g. a Corestore',
      )
    }
    this.store = store
    this._ownsSwarm = !opts.swarm
    this.swarm = opts.swarm ?? createSwarm(opts)
    this._onconnectionBound = (socket, info) => this._onconnection(socket, info)
    this.swarm.on('connection', this._onconnectionBound)
  }

  /** The key pair connections are made with; peers see its public key as `remotePublicKey`. */
  get keyPair(): SwarmKeyPair {
    return this.swarm.keyPair
  }

  get publicKey(): Uint8Array {
    return this.swarm.keyPair.publicKey
  }

  /** The connected peers, one per remote public key. */
  get peers(): NetworkPeer[] {
    const peers: NetworkPeer[] = []
    for (const conn of this._connections.values()) peers.push(conn.peer)
    return peers
  }

  /** Starts accepting connections (announcing a topic does this too). */
  async listen(): Promise<void> {
    this._checkOpen()
    await this.swarm.listen()
  }

  /**
   * Joins `discoveryKey`: announce it, look it up, or both; with neither, leaves it. Calling it
   * again with other options changes how the topic is joined.
   */
  async configure(discoveryKey: KeyLike, opts: ConfigureOptions = {}): Promise<void> {
    this._checkOpen()
    const key = toKey(discoveryKey)
    const { announce = true, lookup = true, flush = true } = opts
    const hex = toHex(key)
    const prev = this._topics.get(hex)

    if (!announce && !lookup) {
      if (!prev) return
      this._topics.delete(hex)
      stopRefreshing(prev)
      await prev.session.destroy()
      return
    }

    let topic = prev
    if (!topic || topic.announce !== announce || topic.lookup !== lookup) {
      // Join again before leaving the old session, so the topic stays joined in between.
      const session = this.swarm.join(key, { server: announce, client: lookup })
      topic = {
        discoveryKey: key,
        session,
        announce,
        lookup,
        flushed: false,
        flushing: null,
        refreshes: 0,
        timer: null,
      }
      this._topics.set(hex, topic)
      if (prev) {
        stopRefreshing(prev)
        await prev.session.destroy()
      }
    }

    const flushing = this._flush(hex, topic)
    if (flush) await flushing
  }

  /** True while `discoveryKey` is joined (announced or looked up). */
  joined(discoveryKey: KeyLike): boolean {
    return this._topics.has(toHex(toKey(discoveryKey)))
  }

  /**
   * True once the topic was announced / looked up, every peer found was tried, and every
   * connection opened before that finished its handshake.
   */
  flushed(discoveryKey: KeyLike): boolean {
    return this._topics.get(toHex(toKey(discoveryKey)))?.flushed === true
  }

  /**
   * A connection-level message channel named `name` on every present and future connection.
   * Register the same name twice and both registrations receive.
   */
  registerExtension<M = Uint8Array>(
    name: string,
    handlers: StreamExtensionHandlers<M> = {},
  ): StreamExtension<M> {
    this._checkOpen()
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError('An extension name must be a non-empty string')
    }
    const ext = new StreamExtension<M>(this, name, handlers)
    let registrations = this._extensions.get(name)
    if (!registrations) {
      registrations = new Set()
      this._extensions.set(name, registrations)
      for (const conn of this._connections.values()) this._openChannel(conn, name)
    }
    registrations.add(ext as unknown as StreamExtension<never>)
    return ext
  }

  protected override async _open(): Promise<void> {}

  protected override async _close(): Promise<void> {
    this.swarm.off('connection', this._onconnectionBound)

    const topics = [...this._topics.values()]
    this._topics.clear()
    for (const topic of topics) stopRefreshing(topic)
    const sessions = topics.map((t) => t.session)
    // An owned Hyperswarm leaves its topics itself when destroyed.
    if (!this._ownsSwarm) await Promise.allSettled(sessions.map((s) => s.destroy()))

    for (const registrations of this._extensions.values()) {
      for (const ext of registrations) ext.destroy()
    }
    this._extensions.clear()

    await Promise.all([...this._sockets].map((socket) => endSocket(socket)))
    if (this._ownsSwarm) await this.swarm.destroy()
  }

  // --- connections ---

  private _onconnection(socket: SwarmSocket, info: SwarmPeerInfo): void {
    // A connection can end with an error at any time (the peer went away); that is not ours to throw.
    socket.on('error', noop)
    if (this.closing !== null) {
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

  private _onopen(socket: SwarmSocket, info: SwarmPeerInfo): void {
    if (this.closing !== null || isGone(socket)) {
      socket.destroy()
      return
    }
    const remotePublicKey = socket.remotePublicKey ?? info.publicKey ?? null
    if (!remotePublicKey || b4a.equals(remotePublicKey, this.publicKey)) {
      // No identity, or a connection to ourselves: nothing to replicate with.
      socket.destroy()
      return
    }

    const key = toHex(remotePublicKey)
    const existing = this._connections.get(key)
    if (existing) {
      if (!this._keepNew(existing.peer.stream, socket, remotePublicKey)) {
        socket.destroy()
        return
      }
      this._remove(existing)
      existing.peer.stream.destroy()
    }

    try {
      this.store.replicate(socket)
    } catch (err) {
      // The store is closed: this connection has nothing to carry.
      socket.destroy(err instanceof Error ? err : undefined)
      return
    }

    const mux = Protomux.from(socket)
    const peer: NetworkPeer = {
      remotePublicKey,
      remoteAddress: addressOf(socket),
      type: info.type ?? 'udx',
      client: socket.isInitiator === true,
      stream: socket,
    }
    const conn: Connection = { key, peer, mux, channels: new Map(), removed: false }
    this._connections.set(key, conn)
    this._byPeer.set(peer, conn)

    // A remote that opens an extension channel we have registered (or register later) gets one.
    mux.pair({ protocol: EXTENSION_PROTOCOL }, (id) => this._onremoteopen(conn, id))
    for (const name of this._extensions.keys()) this._openChannel(conn, name)

    socket.once('close', () => this._remove(conn))
    this.emit('peer-add', peer)
  }

  /**
   * Two connections to one peer: keep the one dialled by the side with the larger public key, the
   * rule both ends agree on; between two dialled the same way, the newer (the older one is stale).
   */
  private _keepNew(old: SwarmSocket, fresh: SwarmSocket, remotePublicKey: Uint8Array): boolean {
    const weAreLarger = b4a.compare(this.publicKey, remotePublicKey) > 0
    const freshPreferred = (fresh.isInitiator === true) === weAreLarger
    const oldPreferred = (old.isInitiator === true) === weAreLarger
    return freshPreferred || !oldPreferred
  }

  private _remove(conn: Connection): void {
    if (conn.removed) return
    conn.removed = true
    conn.mux.unpair({ protocol: EXTENSION_PROTOCOL })
    if (this._connections.get(conn.key) === conn) this._connections.delete(conn.key)
    this.emit('peer-remove', conn.peer)
  }

  private _flush(hex: string, topic: JoinedTopic): Promise<void> {
    if (topic.flushing) return topic.flushing
    topic.flushing = (async () => {
      try {
        await topic.session.flushed()
        await this.swarm.flush()
        // Connections opened until now count only once their handshake is done. (One snapshot:
        // in a busy swarm, waiting for every later connection too could wait forever.)
        await Promise.allSettled([...this._handshaking])
      } catch {
        return // the swarm was destroyed under us: never flushed
      }
      if (this._topics.get(hex) !== topic || this.closing !== null) return
      topic.flushed = true
      this._refreshLater(hex, topic)
      this.emit('flushed', topic.discoveryKey)
    })()
    return topic.flushing
  }

  private _refreshLater(hex: string, topic: JoinedTopic): void {
    const session = topic.session
    if (!topic.lookup || typeof session.refresh !== 'function') return
    if (topic.refreshes >= REFRESH_DELAYS.length) return
    topic.timer = setTimeout(() => {
      topic.timer = null
      topic.refreshes++
      if (this._topics.get(hex) !== topic || this.closing !== null) return
      session.refresh!().then(
        () => this._refreshLater(hex, topic),
        () => {}, // left or destroyed meanwhile
      )
    }, REFRESH_DELAYS[topic.refreshes])
    topic.timer.unref?.()
  }

  // --- extensions (ExtensionTransport) ---

  private _openChannel(conn: Connection, name: string): ChannelEntry | null {
    const current = conn.channels.get(name)
    if (current) return current
    if (conn.removed) return null
    const channel = conn.mux.createChannel({
      protocol: EXTENSION_PROTOCOL,
      id: b4a.from(name, 'utf-8'),
      unique: true,
      messages: [
        {
          encoding: c.raw,
          // Synchronous on purpose: a pending promise here would hold back the whole connection.
          onmessage: (bytes: Uint8Array) => {
            this._onextension(conn, name, bytes)
          },
        },
      ],
      onclose: () => {
        if (conn.channels.get(name)?.channel === channel) conn.channels.delete(name)
      },
    })
    if (!channel) return null
    const entry: ChannelEntry = { channel, message: channel.messages[0] as Message<Uint8Array> }
    conn.channels.set(name, entry)
    channel.open()
    return entry
  }

  /**
   * The remote opened an extension channel. We accept it whether or not we registered the name
   * (a message for a name we have not registered is dropped on arrival), so a registration made
   * later on either side finds the channel there and no message races a rejection. Names we have
   * not registered are capped per connection, so a remote cannot make us hold unbounded channels.
   */
  private _onremoteopen(conn: Connection, id: Uint8Array | null): void {
    if (!id || conn.removed) return
    const name = b4a.toString(id, 'utf-8')
    if (name.length === 0 || !b4a.equals(b4a.from(name, 'utf-8'), id)) return // not a name: reject
    if (!this._extensions.has(name)) {
      let unregistered = 0
      for (const open of conn.channels.keys()) if (!this._extensions.has(open)) unregistered++
      if (unregistered >= MAX_UNREGISTERED_CHANNELS) return // rejected
    }
    this._openChannel(conn, name)
  }

  private _onextension(conn: Connection, name: string, bytes: Uint8Array): void {
    if (conn.removed) return
    const registrations = this._extensions.get(name)
    if (!registrations) return
    for (const ext of registrations) ext._receive(bytes, conn.peer)
  }

  /** @internal */
  _sendExtension(name: string, bytes: Uint8Array, peer: NetworkPeer | null): void {
    if (peer === null) {
      for (const conn of this._connections.values())
        this._openChannel(conn, name)?.message.send(bytes)
      return
    }
    const conn = this._connectionOf(peer)
    this._openChannel(conn, name)?.message.send(bytes)
  }

  /** @internal */
  _destroyExtension(ext: StreamExtension<never>): void {
    const registrations = this._extensions.get(ext.name)
    if (!registrations?.delete(ext) || registrations.size > 0) return
    // The channels stay open (the remote may still use the name); what arrives is dropped.
    this._extensions.delete(ext.name)
  }

  /** @internal */
  _reportExtensionError(err: DatSdkError, peer: NetworkPeer): void {
    try {
      this.emit('extension-error', err, peer)
    } catch {
      // A throwing listener must not take the connection down with it.
    }
  }

  private _connectionOf(peer: NetworkPeer): Connection {
    const known = this._byPeer.get(peer)
    if (known && !known.removed) return known
    // A peer object from an earlier connection to the same key still reaches that key.
    const key =
      peer && peer.remotePublicKey instanceof Uint8Array ? toHex(peer.remotePublicKey) : null
    const conn = key === null ? undefined : this._connections.get(key)
    if (!conn) throw new DatSdkError('UNKNOWN_PEER', 'That peer is not connected')
    return conn
  }

  private _checkOpen(): void {
    if (this.closing !== null) throw new DatSdkError('CLOSED', 'The networker is closed')
  }
}

function stopRefreshing(topic: JoinedTopic): void {
  if (topic.timer) clearTimeout(topic.timer)
  topic.timer = null
  topic.refreshes = REFRESH_DELAYS.length
}

function createSwarm(opts: NetworkerOptions): SwarmLike {
  const bootstrap = opts.bootstrap
  const loopback = !!bootstrap && bootstrap.length > 0 && bootstrap.every(isLoopback)
  const host = opts.host ?? (loopback ? '127.0.0.1' : undefined)
  const firewalled = opts.firewalled ?? (loopback ? false : undefined)
  const dht = new HyperDHT({
    bootstrap,
    ...(host !== undefined ? { host } : {}),
    ...(firewalled !== undefined ? { firewalled } : {}),
  })
  return new Hyperswarm({ dht, ...(opts.keyPair ? { keyPair: opts.keyPair } : {}) })
}

function isLoopback(node: { host: string; port: number } | string): boolean {
  const host =
    typeof node === 'string' ? node.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') : node.host
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
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
