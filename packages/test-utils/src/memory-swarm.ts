import { EventEmitter } from 'node:events'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import type { SwarmLike } from '@dat-sdk/interfaces'

export interface MemoryKeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

/** A connection of a MemorySwarm: an `@hyperswarm/secret-stream` NoiseSecretStream. */
export type MemorySocket = NoiseSecretStream

export interface MemoryPeerInfo {
  publicKey: Uint8Array
  /** True on the side that dialled. */
  client: boolean
  topics: Uint8Array[]
  type: 'memory'
}

export interface MemorySwarmNetworkOptions {
  /**
   * Milliseconds before the bytes of a new connection start to flow (default 0), so the Noise
   * handshake finishes well after `'connection'` and after `flush()`, as on a real network.
   */
  latency?: number
}

/** The in-process "network" MemorySwarms meet on. Swarms on different networks never connect. */
export class MemorySwarmNetwork {
  readonly swarms = new Set<MemorySwarm>()
  readonly latency: number

  constructor(opts: MemorySwarmNetworkOptions = {}) {
    this.latency = opts.latency ?? 0
  }

  /** A new swarm on this network. */
  swarm(opts: Omit<MemorySwarmOptions, 'network'> = {}): MemorySwarm {
    return new MemorySwarm({ ...opts, network: this })
  }

  /** Destroys every swarm on this network. */
  async destroy(): Promise<void> {
    await Promise.all([...this.swarms].map((s) => s.destroy()))
  }
}

const defaultNetwork = new MemorySwarmNetwork()

export interface MemorySwarmOptions {
  /** Where the swarm meets others (default: one network shared by the whole process). */
  network?: MemorySwarmNetwork
  keyPair?: MemoryKeyPair
}

/** A joined topic, as `MemorySwarm.join()` returns it (Hyperswarm's PeerDiscoverySession). */
export class MemoryDiscovery {
  readonly topic: Uint8Array
  isServer: boolean
  isClient: boolean
  destroyed = false
  private readonly _swarm: MemorySwarm

  constructor(swarm: MemorySwarm, topic: Uint8Array, opts: { server: boolean; client: boolean }) {
    this._swarm = swarm
    this.topic = topic
    this.isServer = opts.server
    this.isClient = opts.client
  }

  async refresh(opts: { server?: boolean; client?: boolean } = {}): Promise<boolean> {
    if (this.destroyed) throw new Error('MemoryDiscovery is destroyed')
    this.isServer = opts.server ?? this.isServer
    this.isClient = opts.client ?? this.isClient
    this._swarm._match()
    return true
  }

  async flushed(): Promise<boolean> {
    await this._swarm.flush()
    return true
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    this._swarm._leaveSession(this)
  }
}

/**
 * An in-process stand-in for Hyperswarm with the same shape (a `SwarmLike`): swarms on one
 * `MemorySwarmNetwork` that joined a topic, one announcing (server) and one looking up (client),
 * get connected by a real Noise secret stream pair over an in-memory duplex, so protomux and
 * corestore replication run on it as they do on Hyperswarm. One connection per pair of swarms.
 *
 * Unlike Hyperswarm, `'connection'` is emitted before the Noise handshake is done (the socket's
 * `remotePublicKey` is null until `await socket.opened`), which keeps consumers honest about it.
 */
export class MemorySwarm extends EventEmitter implements SwarmLike {
  readonly keyPair: MemoryKeyPair
  readonly network: MemorySwarmNetwork
  readonly connections = new Set<MemorySocket>()
  destroyed = false
  listening = false
  private readonly _sessions = new Map<string, Set<MemoryDiscovery>>()
  private readonly _peers = new Map<string, MemorySocket>()

  constructor(opts: MemorySwarmOptions = {}) {
    super()
    this.keyPair = opts.keyPair ?? NoiseSecretStream.keyPair()
    this.network = opts.network ?? defaultNetwork
    this.network.swarms.add(this)
  }

  /** Announces (`server`) and / or looks up (`client`) `topic`. */
  join(topic: Uint8Array, opts: { server?: boolean; client?: boolean } = {}): MemoryDiscovery {
    if (this.destroyed) throw new Error('Swarm destroyed')
    if (!(topic instanceof Uint8Array) || topic.byteLength !== 32) {
      throw new Error('Topic is required and must be a 32-byte buffer')
    }
    const session = new MemoryDiscovery(this, topic, {
      server: opts.server !== false,
      client: opts.client !== false,
    })
    const hex = toHex(topic)
    let sessions = this._sessions.get(hex)
    if (!sessions) this._sessions.set(hex, (sessions = new Set()))
    sessions.add(session)
    this._match()
    return session
  }

  /** Leaves `topic` for every session. Connections stay open, as on Hyperswarm. */
  async leave(topic: Uint8Array): Promise<void> {
    const sessions = this._sessions.get(toHex(topic))
    if (!sessions) return
    for (const session of [...sessions]) await session.destroy()
  }

  /** Connects to the swarm on this network whose public key is `publicKey`, if not connected yet. */
  joinPeer(publicKey: Uint8Array): void {
    if (this.destroyed) return
    for (const other of this.network.swarms) {
      if (other !== this && !other.destroyed && equal(other.keyPair.publicKey, publicKey)) {
        if (!this._peers.has(toHex(publicKey))) this._dial(other, [])
        return
      }
    }
  }

  /**
   * Opens a new connection to `other` even when one exists or `other` has our key: for tests of
   * what a consumer does with a duplicate or a connection to itself. Returns our end.
   */
  connect(other: MemorySwarm): MemorySocket {
    if (this.destroyed || other.destroyed) throw new Error('Swarm destroyed')
    return this._dial(other, [])
  }

  async listen(): Promise<void> {
    if (this.destroyed) throw new Error('Swarm destroyed')
    this.listening = true
  }

  /** Connections are made as soon as two swarms match, so a flush only lets them be emitted. */
  async flush(): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve))
    return !this.destroyed
  }

  /** Leaves every topic and destroys every connection (the remote ends close too). */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    this._sessions.clear()
    this.network.swarms.delete(this)
    await Promise.all([...this.connections].map(closeSocket))
    this.emit('close')
  }

  /** @internal Called when a session is destroyed. */
  _leaveSession(session: MemoryDiscovery): void {
    const hex = toHex(session.topic)
    const sessions = this._sessions.get(hex)
    if (!sessions) return
    sessions.delete(session)
    if (sessions.size === 0) this._sessions.delete(hex)
  }

  /** @internal Connects to every swarm we now match: one announces what the other looks up. */
  _match(): void {
    if (this.destroyed) return
    for (const other of this.network.swarms) {
      if (other === this || other.destroyed) continue
      if (equal(other.keyPair.publicKey, this.keyPair.publicKey)) continue // never ourselves
      if (this._peers.has(toHex(other.keyPair.publicKey))) continue
      const weDial = this._shared(other)
      const theyDial = weDial.length === 0 ? other._shared(this) : []
      if (weDial.length > 0) this._dial(other, weDial)
      else if (theyDial.length > 0) other._dial(this, theyDial)
    }
  }

  /** Topics on which we look up and `other` announces. */
  private _shared(other: MemorySwarm): Uint8Array[] {
    const topics: Uint8Array[] = []
    for (const [hex, sessions] of this._sessions) {
      if (![...sessions].some((s) => s.isClient)) continue
      const theirs = other._sessions.get(hex)
      if (!theirs || ![...theirs].some((s) => s.isServer)) continue
      topics.push([...sessions][0].topic)
    }
    return topics
  }

  private _dial(server: MemorySwarm, topics: Uint8Array[]): MemorySocket {
    const client = new NoiseSecretStream(true, null, { keyPair: this.keyPair })
    const accepted = new NoiseSecretStream(false, null, { keyPair: server.keyPair })
    const connect = () => client.rawStream.pipe(accepted.rawStream).pipe(client.rawStream)
    const latency = this.network.latency
    const timer = latency > 0 ? setTimeout(connect, latency) : null
    if (!timer) connect()
    // A closed end closes the other, as a reset would on a real network.
    client.once('close', () => {
      if (timer) clearTimeout(timer)
      accepted.destroy()
    })
    accepted.once('close', () => client.destroy())
    this._track(client, server.keyPair.publicKey)
    server._track(accepted, this.keyPair.publicKey)
    this.emit('connection', client, peerInfo(server.keyPair.publicKey, true, topics))
    server.emit('connection', accepted, peerInfo(this.keyPair.publicKey, false, topics))
    return client
  }

  private _track(socket: MemorySocket, remotePublicKey: Uint8Array): void {
    const hex = toHex(remotePublicKey)
    socket.on('error', noop)
    this.connections.add(socket)
    if (!this._peers.has(hex)) this._peers.set(hex, socket)
    socket.once('close', () => {
      this.connections.delete(socket)
      if (this._peers.get(hex) === socket) this._peers.delete(hex)
    })
  }
}

function peerInfo(publicKey: Uint8Array, client: boolean, topics: Uint8Array[]): MemoryPeerInfo {
  return { publicKey, client, topics, type: 'memory' }
}

function closeSocket(socket: MemorySocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve()
    socket.once('close', () => resolve())
    socket.destroy()
  })
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return toHex(a) === toHex(b)
}

function noop(): void {}
