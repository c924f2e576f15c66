// `Networker`: owns a Hyperswarm (or a swarm handed in), its topics, its peers and the
// connection-level extension messages. It stays one file past ~400 lines as the one place that
// holds the swarm's life cycle; topics, connections, channels, extensions and bootstrap settings
// are their own modules beside it.
import ReadyResource from 'ready-resource'
import { DatSdkError, closedError, toHex, toKey, type KeyLike } from '@dat-sdk/store'
import type {
  ConfigureOptions,
  ExtensionHost,
  JoinOptions,
  Listener,
  NetworkPeer,
  NetworkerEvents,
  NetworkerLike,
  SwarmConnectionListener,
  SwarmKeyPair,
  SwarmLike,
  SwarmSocket,
  Topic,
} from '@dat-sdk/interfaces'
import type Hyperswarm from 'hyperswarm'
import { createHyperswarm, type BootstrapNode } from './bootstrap.js'
import { ExtensionChannels } from './channels.js'
import { Connections, connectionTimeout, type Connection } from './connections.js'
import {
  StreamExtension,
  type ExtensionTransport,
  type Registration,
  type StreamExtensionHandlers,
} from './extension.js'
import { SwarmTopics } from './swarm-topics.js'
import { TopicSet } from './topic-set.js'

export { EXTENSION_PROTOCOL } from './channels.js'

/**
 * How long close() waits for each best-effort step (leaving topics, unannouncing, ending
 * connections) before it moves on. With the DHT gone, unannouncing would wait for the DHT's own
 * timeouts (seconds); close() is bounded instead (issue 14: within 2 s).
 */
const CLOSE_STEP_TIMEOUT = 600

export type { ConfigureOptions }

/** Options for a Networker: its swarm, key pair, bootstrap nodes and timeouts. */
export interface NetworkerOptions {
  /** A swarm to use instead of a Hyperswarm of our own. The networker does not destroy it. */
  swarm?: SwarmLike
  /** DHT bootstrap nodes of the Hyperswarm the networker makes (`'host:port'` strings work too). */
  bootstrap?: Array<BootstrapNode | string>
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
  /**
   * Ms without a byte from a peer after which its connection is dropped, so that blocks asked of a
   * peer that died without a word are asked of another (issue 14). Idle connections send a
   * keep-alive every 2 s (or a third of this, if shorter) so they stay up. Default 6000; 0 turns
   * both off (a dead peer is then noticed only when UDX gives up, about 13 s).
   */
  connectionTimeout?: number
}

/** Anything that replicates into a duplex stream: a Corestore, a `Store`, a Hypercore. */
export interface Replicator {
  /** Replicates into a connection's stream. */
  replicate(stream: SwarmSocket): unknown
}

// Typed events (`NetworkerEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Networker {
  /** Listens for a networker event (`'peer-add'`, `'peer-remove'`, `'extension-error'`, `'ready'`, `'close'`). */
  on<K extends keyof NetworkerEvents>(event: K, listener: Listener<NetworkerEvents, K>): this
  /** Listens for a networker event once. */
  once<K extends keyof NetworkerEvents>(event: K, listener: Listener<NetworkerEvents, K>): this
  /** Stops listening for a networker event. */
  off<K extends keyof NetworkerEvents>(event: K, listener: Listener<NetworkerEvents, K>): this
  /** Emits a networker event (the networker's own use). */
  emit<K extends keyof NetworkerEvents>(event: K, ...args: NetworkerEvents[K]): boolean
}

/**
 * Joins discovery keys on Hyperswarm (or any `SwarmLike`), keeps exactly one connection per
 * remote public key, replicates every connection into a store, and carries connection-level
 * extension messages on the same mux. The work is split by concern: `TopicSet` counts who holds
 * a topic, `SwarmTopics` joins it on the swarm, `Connections` keeps one connection per peer,
 * `ExtensionChannels` carries extension messages on them.
 *
 * Events: `'peer-add' (peer)`, `'peer-remove' (peer)`, `'flushed' (discoveryKey)`,
 * `'extension-error' (err, peer)`.
 */
export class Networker
  extends ReadyResource
  implements ExtensionTransport, NetworkerLike<NetworkPeer>, ExtensionHost<NetworkPeer>
{
  /** What the networker replicates into each connection (a store). */
  readonly store: Replicator
  /** The swarm the networker connects through. */
  readonly swarm: SwarmLike
  private readonly _ownsSwarm: boolean
  private readonly _ownSwarm: Hyperswarm | null
  private readonly _connections: Connections
  private readonly _swarmTopics: SwarmTopics
  private readonly _topics: TopicSet
  private readonly _channels: ExtensionChannels
  private readonly _extensions = new Map<string, Set<Registration>>()
  private readonly _onconnectionBound: SwarmConnectionListener
  /** Hex keys of the peers `joinPeer()` holds. */
  private readonly _explicit = new Set<string>()
  private _suspended = false

  constructor(store: Replicator, opts: NetworkerOptions = {}) {
    super()
    if (!store || typeof store.replicate !== 'function') {
      throw new TypeError(
        'new Networker(store) needs something with replicate(stream), e.g. a Corestore',
      )
    }
    // Checked before the swarm is made: a throw after it would leave the swarm's sockets open.
    const timeout = connectionTimeout(opts.connectionTimeout)
    this.store = store
    this._ownsSwarm = !opts.swarm
    this._ownSwarm = opts.swarm ? null : createHyperswarm(opts)
    this.swarm = opts.swarm ?? this._ownSwarm!
    this._connections = new Connections({
      publicKey: () => this.publicKey,
      replicate: (socket) => void this.store.replicate(socket),
      closing: () => this.closing !== null,
      timeout,
      onadd: (conn) => this._onadd(conn),
      onremove: (conn) => this._onremove(conn),
    })
    this._swarmTopics = new SwarmTopics(this.swarm, {
      handshakes: () => this._connections.handshakes(),
      onflushed: (discoveryKey) => this.emit('flushed', discoveryKey),
      foundOn: (hex) => this._connections.foundOn(hex),
    })
    this._topics = new TopicSet((topic, mode, hex) => this._swarmTopics.set(topic, mode, hex))
    this._channels = new ExtensionChannels({
      registered: (name) => this._extensions.has(name),
      names: () => this._extensions.keys(),
      deliver: (conn, name, bytes) => {
        const registrations = this._extensions.get(name)
        if (registrations) for (const ext of registrations) ext._receive(bytes, conn.peer)
      },
    })
    this._onconnectionBound = (socket, info) => this._connections.onconnection(socket, info)
    this.swarm.on('connection', this._onconnectionBound)
  }

  /** The key pair connections are made with; peers see its public key as `remotePublicKey`. */
  get keyPair(): SwarmKeyPair {
    return this.swarm.keyPair
  }

  /** The swarm's public key, the identity peers see. */
  get publicKey(): Uint8Array {
    return this.swarm.keyPair.publicKey
  }

  /** The connected peers, one per remote public key. */
  get peers(): NetworkPeer[] {
    const peers: NetworkPeer[] = []
    for (const conn of this._connections.values()) peers.push(conn.peer)
    return peers
  }

  /**
   * Starts accepting connections (announcing a topic does this too).
   * Rejects with `CLOSED` once closed.
   */
  async listen(): Promise<void> {
    this._checkOpen()
    await this.swarm.listen()
  }

  /**
   * A handle on `topic` (announced, looked up, or both). The topic stays joined until its last
   * handle is destroyed, joined as the union of what the live handles (and `configure()`) ask.
   * Throws `CLOSED` once closed.
   */
  join(topic: KeyLike, opts: JoinOptions = {}): Topic {
    this._checkOpen()
    return this._topics.join(toKey(topic), opts)
  }

  /**
   * Joins `discoveryKey` for the `configure()` user: announce it, look it up, or both. With
   * neither, releases this user's hold; the topic is left only if no `join()` handle holds it.
   * Rejects with `CLOSED` once closed.
   */
  async configure(discoveryKey: KeyLike, opts: ConfigureOptions = {}): Promise<void> {
    this._checkOpen()
    const { flush = true, ...mode } = opts
    const applied = this._topics.configure(toKey(discoveryKey), mode)
    if (flush) await applied
  }

  /**
   * Keeps a connection to the peer whose Noise public key is `publicKey`, with no topic
   * (Hyperswarm's `joinPeer`): it is dialled now and again whenever the connection drops, until
   * `leavePeer()`. Still one connection per remote key. Starts listening too, so two peers that
   * join each other meet. `NOT_SUPPORTED` on a swarm without `joinPeer`.
   */
  joinPeer(publicKey: KeyLike): void {
    this._checkOpen()
    const key = toKey(publicKey)
    const swarm = this._supports('joinPeer')
    swarm.joinPeer(key)
    this._explicit.add(toHex(key))
    this.swarm.listen().catch(noop) // best effort: dialling out works without it
  }

  /**
   * Stops keeping a connection to that peer; a connection open now is not cut.
   * Throws `CLOSED` once closed.
   */
  leavePeer(publicKey: KeyLike): void {
    this._checkOpen()
    const key = toKey(publicKey)
    this._supports('leavePeer').leavePeer(key)
    this._explicit.delete(toHex(key))
  }

  /** True while `joinPeer(publicKey)` holds (and `leavePeer()` has not been called). */
  joinedPeer(publicKey: KeyLike): boolean {
    return this._explicit.has(toHex(toKey(publicKey)))
  }

  /** True between `suspend()` and `resume()`. */
  get suspended(): boolean {
    return this._suspended
  }

  /**
   * An app going to the background: closes every connection (each gives `'peer-remove'`) and
   * pauses every lookup, announce and explicit peer, until `resume()`. Topics, peers joined with
   * `joinPeer()` and extensions stay registered. `NOT_SUPPORTED` on a swarm without `suspend`.
   */
  async suspend(): Promise<void> {
    this._checkOpen()
    const swarm = this._supports('suspend')
    if (this._suspended) return
    this._suspended = true
    await swarm.suspend()
  }

  /**
   * Brings back what `suspend()` paused: topics are looked up and announced again and explicit
   * peers dialled, so the cores the store replicated before replicate again.
   * Rejects with `CLOSED` once closed.
   */
  async resume(): Promise<void> {
    this._checkOpen()
    const swarm = this._supports('resume')
    if (!this._suspended) return
    await swarm.resume()
    this._suspended = false
  }

  /** True while `discoveryKey` is joined (announced or looked up). */
  joined(discoveryKey: KeyLike): boolean {
    return this._swarmTopics.joined(toKey(discoveryKey))
  }

  /**
   * True once the topic was announced / looked up, every peer found was tried, and every
   * connection opened before that finished its handshake.
   */
  flushed(discoveryKey: KeyLike): boolean {
    return this._swarmTopics.flushed(toKey(discoveryKey))
  }

  /**
   * A connection-level message channel named `name` on every present and future connection.
   * Register the same name twice and both registrations receive.
   * Throws `CLOSED` once closed.
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
      for (const conn of this._connections.values()) this._channels.open(conn, name)
    }
    registrations.add(ext)
    return ext
  }

  protected override async _open(): Promise<void> {}

  protected override async _close(): Promise<void> {
    this.swarm.off('connection', this._onconnectionBound)
    this._topics.clear()
    // A swarm handed in keeps running: let go of the peers we asked it to keep.
    if (!this._ownsSwarm && offers(this.swarm, 'leavePeer')) {
      for (const hex of this._explicit) this.swarm.leavePeer(toKey(hex))
    }
    this._explicit.clear()
    // An owned Hyperswarm leaves its topics itself when destroyed. Leaving is best effort: a
    // handed-in swarm whose DHT is gone may take long to unannounce, and it is not ours to wait on.
    await settlesWithin(this._swarmTopics.close(!this._ownsSwarm), CLOSE_STEP_TIMEOUT)

    for (const registrations of this._extensions.values()) {
      for (const ext of registrations) ext.destroy()
    }
    this._extensions.clear()

    await settlesWithin(this._connections.endAll(), CLOSE_STEP_TIMEOUT)
    if (this._ownSwarm) {
      // Unannouncing waits on the DHT; when it does not answer in time, drop it all at once.
      const destroyed = this._ownSwarm.destroy()
      if (!(await settlesWithin(destroyed, CLOSE_STEP_TIMEOUT))) {
        // (Hyperswarm's own `force` still closes its server, which unannounces: drop the DHT
        // node itself, and what waited on it ends.)
        await this._ownSwarm.dht.destroy({ force: true })
        await settlesWithin(destroyed, CLOSE_STEP_TIMEOUT)
      }
    }
  }

  private _onadd(conn: Connection): void {
    // A remote that opens an extension channel we have registered (or register later) gets one.
    this._channels.attach(conn)
    this.emit('peer-add', conn.peer)
  }

  private _onremove(conn: Connection): void {
    this._channels.detach(conn)
    this.emit('peer-remove', conn.peer)
  }

  // --- extensions (ExtensionTransport) ---

  /** @internal */
  _sendExtension(name: string, bytes: Uint8Array, peer: NetworkPeer | null): void {
    if (peer === null) {
      for (const conn of this._connections.values())
        this._channels.open(conn, name)?.message.send(bytes)
      return
    }
    this._channels.open(this._connections.of(peer), name)?.message.send(bytes)
  }

  /** @internal */
  _destroyExtension(ext: Registration): void {
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

  private _checkOpen(): void {
    if (this.closing !== null) throw closedError('networker')
  }

  /** The swarm, typed as having `method`; `NOT_SUPPORTED` when the `SwarmLike` handed in lacks it. */
  private _supports<K extends 'joinPeer' | 'leavePeer' | 'suspend' | 'resume'>(
    method: K,
  ): SwarmLike & Required<Pick<SwarmLike, K>> {
    const swarm = this.swarm
    if (!offers(swarm, method)) {
      throw new DatSdkError('NOT_SUPPORTED', `This networker's swarm has no ${method}()`)
    }
    return swarm
  }
}

function offers<K extends keyof SwarmLike>(
  swarm: SwarmLike,
  method: K,
): swarm is SwarmLike & Required<Pick<SwarmLike, K>> {
  return typeof swarm[method] === 'function'
}

function noop(): void {}

/** True when `promise` settles within `ms` (either way); false when the time ran out first. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ])
  } finally {
    clearTimeout(timer)
  }
}
