// `Core`: one hypercore session behind the SDK's part shape (open, append, get, streams,
// download, stats, extensions, peers, close). It stays one file past ~400 lines because every
// method guards the same session; peers, extensions, read-ahead, the meter and the identity
// getters are their own modules (peer.ts, registry.ts, read-ahead.ts, meter.ts, identity.ts).
import type { Readable, Writable } from 'node:stream'
import type { CoreEvents as SeamCoreEvents, ExtensionHost, Listener } from '@dat-sdk/interfaces'
import {
  DatSdkError,
  closedError,
  isHypercore,
  isSessionClosedError,
  toEncryptionKey,
  type CoreRef,
  type Hypercore,
  type HypercoreOptions,
  type HypercorePeer,
  type KeyLike,
} from '@dat-sdk/store'
import type {
  AppendResult,
  Download,
  GetOptions,
  Info,
  RangeOptions,
  ReadStreamOptions,
  UpdateOptions,
} from 'hypercore'
import { CoreIdentity } from './identity.js'
import { Meter, SHARED_METER, progressOf, type TransferStats } from './meter.js'
import { Peer, type PeerOwner } from './peer.js'
import { summary } from './inspect.js'
import { readAhead } from './read-ahead.js'
import { READY_EXTENSION } from './messages.js'
import { DEFAULT_HANDSHAKE_TIMEOUT, Handshake, rethrowLater } from './handshake.js'
import {
  ExtensionRegistry,
  encodeOrThrow,
  type Extension,
  type ExtensionHandlers,
} from './registry.js'

export type { Extension, ExtensionHandlers }

/** Options for a Core: its encoding, extensions, encryption key and how it opens. */
export interface CoreOptions {
  /**
   * Extension names whose messages arrive as `'extension' (name, message, peer)` events and that
   * `extension(name, message)` / `peer.extension(name, message)` send (binary encoding: send a
   * `Uint8Array` or a string, receive a `Uint8Array`).
   */
  extensions?: string[]
  /**
   * The longest a message waits, in milliseconds, for its peer to say it handles that extension
   * before it is sent anyway, as to a raw hypercore peer (default 2,000).
   */
  handshakeTimeout?: number
  /**
   * Close the hypercore session handed in when the Core closes (default `false`: what is handed
   * in is not closed; `Core.from()` opens its session and so defaults to `true`).
   */
  closeHypercore?: boolean
}

/** @internal What `CoreHost` passes: a `Core`'s options, and the Meter it counts on. */
export interface HostedCoreOptions extends CoreOptions {
  [SHARED_METER]?: Meter
}

/** `Core.from()`'s options: a Core's, hypercore's, and the key of an encrypted core. */
export type CoreFromOptions = CoreOptions &
  HypercoreOptions & {
    /**
     * Encrypts the core's blocks, at rest and on the wire, with hypercore's block encryption (32
     * bytes, any key spelling; a malformed key is `INVALID_KEY`). Readers need the same key:
     * without it they read ciphertext, which a bare Core cannot tell from data (see the README).
     */
    encryptionKey?: KeyLike | null
  }

/** A Core's events (`CoreEvents` in @dat-sdk/interfaces, with this package's `Peer`). */
export type CoreEvents = SeamCoreEvents<Peer>

/** Anything that hands out hypercores by ref, as `@dat-sdk/store`'s `Store` does. */
export interface CoreSource {
  /** Opens a session on the core named by `ref`. */
  get<T = Uint8Array>(ref?: CoreRef, opts?: HypercoreOptions): Hypercore<T>
}

/**
 * A hypercore with typed extension messages, a peer list and the SDK's guarantees: a message
 * sent from `'peer-add'` arrives (the `dat-sdk/ready@1` handshake, handshake.ts), and a bad
 * message from a peer never crashes the process (the extension registry, registry.ts).
 *
 * `new Core(hypercore)` borrows the session it is given and leaves it open on `close()` (pass
 * `{ closeHypercore: true }` to hand it over); `Core.from(store, ref)` opens a session and closes it.
 */
export class Core<T = Uint8Array> extends CoreIdentity implements PeerOwner, ExtensionHost<Peer> {
  private readonly _session: Hypercore<T>
  private readonly _closeSession: boolean
  /**
   * The peers by their raw hypercore peer, made with the first (a seeder's idle cores have none).
   */
  private _peerMap: Map<HypercorePeer, Peer> | null = null
  /**
   * The extension registry and the `dat-sdk/ready@1` handshake are made when first needed (an
   * extension registered, a peer added): a seeder's thousand idle cores hold neither.
   */
  private _registry: ExtensionRegistry | null = null
  private _handshake: Handshake | null = null
  private readonly _handshakeTimeout: number
  /**
   * What this Core listens to on its session, one function per event in one object (a seeder's
   * thousand cores held four arrays of pairs besides), added once open and taken off on close.
   */
  private readonly _onSession: SessionListeners
  /**
   * The structures hosting this Core (a Drive, a Bee, a checkout borrowing its drive's Core): they
   * emit its events as their own (`_relayTo()`), with no listener of theirs on it.
   */
  private _relays: Relay[] | null = null
  /** @internal Counts this core's transfers (the SDK sums its parts' meters). */
  readonly meter: Meter
  /** The meter is this Core's own (not its host's): it stops with the Core. */
  private readonly _ownsMeter: boolean

  constructor(hypercore: Hypercore<T>, opts: CoreOptions = {}) {
    super()
    if (!isHypercore(hypercore)) {
      throw new TypeError('new Core() takes a hypercore (a Hypercore 11 core or session)')
    }
    const extensions = opts.extensions ?? []
    if (!Array.isArray(extensions) || extensions.some((n) => typeof n !== 'string' || n === '')) {
      throw new TypeError('opts.extensions must be an array of non-empty names')
    }
    this._session = hypercore
    this._closeSession = opts.closeHypercore === true
    // A hosting structure's Meter (HostedCoreOptions, internal): its Core counts on it.
    const given = SHARED_METER in opts ? opts[SHARED_METER] : undefined
    const shared = given instanceof Meter ? given : undefined
    this._ownsMeter = !shared
    this.meter = shared ?? new Meter({ onprogress: progressOf(this) })
    this.meter.add(hypercore)

    this._handshakeTimeout = opts.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT
    for (const name of new Set(extensions)) {
      this._extensions().register<Uint8Array>(name, {
        onmessage: (message, peer) => {
          this._say('extension', name, message, peer)
        },
      })
    }

    this._onSession = {
      'peer-add': (raw: HypercorePeer) => this._addPeer(raw),
      'peer-remove': (raw: HypercorePeer) => this._removePeer(raw),
      append: () => this._say('append'),
      close: () => {
        this.close().catch(noop)
      },
    }
    for (const event of SESSION_EVENTS) this._session.on(event, this._onSession[event])

    this.ready().catch(noop)
  }

  /**
   * Opens (or wraps) a core of `store` by name or key, as `store.get(ref, opts)` does. The Core
   * opened that session, so it closes it (unless `closeHypercore: false`).
   */
  static from<T = Uint8Array>(
    store: CoreSource,
    ref?: CoreRef,
    opts: CoreFromOptions = {},
  ): Core<T> {
    const { extensions, handshakeTimeout, closeHypercore = true, encryptionKey, ...rest } = opts
    const key = toEncryptionKey(encryptionKey)
    const hypercoreOpts: HypercoreOptions = key ? { ...rest, encryption: { key } } : rest
    const hypercore = store.get<T>(ref, hypercoreOpts)
    return new Core<T>(hypercore, { extensions, handshakeTimeout, closeHypercore })
  }

  protected async _open(): Promise<void> {
    try {
      await this._session.ready()
    } catch (err) {
      this._detach()
      if (this._closeSession) await this._session.close().catch(noop)
      throw err
    }
    if (this.closing) return
    // Peers that were connected before this Core (or its session) opened get their 'peer-add' now.
    this._adoptPeers()
  }

  /**
   * @internal Makes the session's connected peers this Core's peers now (each once). A host that
   * makes its Core late (see CoreHost) calls it, so that `peers()` has them at once.
   */
  _adoptPeers(): void {
    for (const raw of this._session.peers) this._addPeer(raw)
  }

  protected async _close(): Promise<void> {
    this._detach()
    if (this._closeSession) await this._session.close()
  }

  private _detach(): void {
    if (this._ownsMeter) this.meter.destroy()
    for (const event of SESSION_EVENTS) this._session.removeListener(event, this._onSession[event])
    this._peerMap = null
    this._handshake?.destroy()
    this._registry?.destroy()
  }

  /** The Core's handshake, made with its first peer (see `_registry`). */
  private _hs(): Handshake {
    this._handshake ??= new Handshake(
      this._session,
      {
        extensionNames: () => this._registry?.names() ?? [],
        admit: (raw) => this._addPeer(raw) !== null,
        reject: (err, raw) => {
          const peer = this._peers.get(raw)
          if (peer) this._reportError(err, peer)
        },
      },
      this._handshakeTimeout,
    )
    return this._handshake
  }

  /** The Core's extension registry, made with its first extension (see `_registry`). */
  private _extensions(): ExtensionRegistry {
    this._registry ??= new ExtensionRegistry(this._session, {
      admit: (raw) => this._addPeer(raw),
      sendTo: (peer, name, bytes) => this._hs().send(this._rawOf(peer), name, bytes),
      broadcast: (name, bytes) => {
        for (const raw of this._peers.keys()) this._hs().send(raw, name, bytes)
      },
      checkOpen: () => this._checkOpen(),
      report: (err, peer) => this._reportError(err, peer),
      // A Core without a handshake has no peers to tell yet; the first one hears every name.
      announce: () => this._handshake?.announceAll(),
    })
    return this._registry
  }

  /**
   * @internal `host` emits this Core's events (`'peer-add'`, `'peer-remove'`, `'extension'`,
   * `'extension-error'`, `'append'`) as its own, after this Core's listeners; returns what undoes
   * it.
   */
  _relayTo(host: Relay): () => void {
    this._relays = (this._relays ?? []).concat([host])
    return () => {
      const rest = this._relays?.filter((r) => r !== host) ?? []
      this._relays = rest.length > 0 ? rest : null
    }
  }

  /** Emits `event` here, then on each host this Core relays to. */
  private _say<K extends RelayedEvent>(event: K, ...args: CoreEvents[K]): void {
    this.emit(event, ...args)
    if (this._relays) for (const host of this._relays) host.emit(event, ...args)
  }

  private _checkOpen(): void {
    if (this.closing) throw closedError('core')
  }

  private async _call<R>(fn: () => Promise<R>): Promise<R> {
    if (this.closing) throw closedError('core')
    try {
      return await fn()
    } catch (err) {
      if (this.closing || isSessionClosedError(err)) throw closedError('core', err)
      throw err
    }
  }

  // -- pass-throughs ---------------------------------------------------------------------------

  /** The raw hypercore session, for everything this wrapper does not cover. */
  get hypercore(): Hypercore<T> {
    return this._session
  }

  /** `key`, `discoveryKey`, `url`, `writable` and `readable` (CoreIdentity) read the session. */
  protected get _identity(): Hypercore<T> {
    return this._session
  }

  /** The core's id (its key in z-base-32), or null before it opens. */
  get id(): string | null {
    return this._session.id
  }

  /** How many blocks the core has. */
  get length(): number {
    return this._session.length
  }

  /** How many blocks from the start this peer holds without a gap. */
  get contiguousLength(): number {
    return this._session.contiguousLength
  }

  /** The core's size in bytes. */
  get byteLength(): number {
    return this._session.byteLength
  }

  /** The core's fork id, raised when it is truncated. */
  get fork(): number {
    return this._session.fork
  }

  /** True when the session reads and writes its blocks encrypted (known once ready). */
  get encrypted(): boolean {
    return this._session.encryption !== null
  }

  /**
   * The key the session encrypts with (`encryptionKey`), or null: a secret, for the app to keep
   * (the Core never puts it in a URL, a message or on the wire).
   */
  get encryptionKey(): Uint8Array | null {
    const encryption = this._session.encryption as { key?: unknown } | null
    return encryption && encryption.key instanceof Uint8Array ? encryption.key : null
  }

  /** Appends one block or several; rejects with `CLOSED` once closed (and hypercore's own error on a core this peer cannot write). */
  append(block: T | T[]): Promise<AppendResult> {
    return this._call(() => this._session.append(block))
  }

  /** The block at `index`, fetched from a peer when missing; rejects with `CLOSED` once closed. */
  get(index: number, opts?: GetOptions): Promise<T | null> {
    return this._call(() => this._session.get(index, opts))
  }

  /** Whether this peer holds every block in `[start, end)`; rejects with `CLOSED` once closed. */
  has(start: number, end?: number): Promise<boolean> {
    return this._call(() => this._session.has(start, end))
  }

  /** Waits for the newest length from peers, true if it changed; rejects with `CLOSED` once closed. */
  update(opts?: UpdateOptions): Promise<boolean> {
    return this._call(() => this._session.update(opts))
  }

  /** The core's stats (length, bytes, storage); rejects with `CLOSED` once closed. */
  info(opts?: object): Promise<Info> {
    return this._call(() => this._session.info(opts))
  }

  /** Downloads a range of blocks in the background; throws `CLOSED` once closed. */
  download(range?: RangeOptions): Download {
    this._checkOpen()
    return this._session.download(range)
  }

  /**
   * Reads blocks in order; the range it reads downloads in the background (see read-ahead.ts).
   * Throws `CLOSED` once closed.
   */
  createReadStream(opts?: ReadStreamOptions): Readable {
    this._checkOpen()
    const stream = this._session.createReadStream(opts)
    readAhead(this._session, stream, opts)
    return stream
  }

  /** A stream that appends what is written to it; throws `CLOSED` once closed. */
  createWriteStream(): Writable {
    this._checkOpen()
    return this._session.createWriteStream()
  }

  /**
   * What `util.inspect()` (and so `console.log()`) shows: a summary, never the internals, which
   * hold an encrypted part's key.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const { url, writable, length, encrypted } = this
    return summary('Core', { url, writable, length, encrypted })
  }

  /**
   * Blocks and bytes this core has and has moved since it opened, its peers and its speeds (bytes
   * per second over the last few seconds). Bytes are block payload bytes, not wire bytes.
   */
  stats(): TransferStats {
    return this.meter.stats(this._peers.size, [this._session])
  }

  // -- peers -----------------------------------------------------------------------------------

  /** The peers replicating this core right now. */
  peers(): Peer[] {
    return [...this._peers.values()]
  }

  /** The peers now (an empty map before the first). */
  private get _peers(): ReadonlyMap<HypercorePeer, Peer> {
    return this._peerMap ?? NO_PEERS
  }

  private _addPeer(raw: HypercorePeer): Peer | null {
    const known = this._peers.get(raw)
    if (known) return known
    if (this.closing) return null
    const peer = new Peer(this, raw)
    const peers = (this._peerMap ??= new Map())
    peers.set(raw, peer)
    this._hs().add(raw)
    try {
      this._say('peer-add', peer)
    } catch (err) {
      // A throwing listener is the application's bug: surface it, but not inside hypercore's
      // channel-open handler, where it would tear the replication stream down.
      rethrowLater(err)
    }
    return peer
  }

  private _removePeer(raw: HypercorePeer): void {
    const peer = this._peers.get(raw)
    if (!peer) return
    this._peerMap?.delete(raw)
    this._handshake?.remove(raw)
    try {
      this._say('peer-remove', peer)
    } catch (err) {
      rethrowLater(err)
    }
  }

  /** The raw peer behind `peer` (a `Peer` of this core, or its raw peer); `UNKNOWN_PEER` otherwise. */
  private _rawOf(peer: Peer | HypercorePeer): HypercorePeer {
    const p = peer as Partial<Peer> | null
    const raw = ((typeof p === 'object' && p !== null && p.hypercorePeer) || peer) as HypercorePeer
    if (!this._peers.has(raw) || !this._session.peers.includes(raw)) {
      throw new DatSdkError('UNKNOWN_PEER', 'That peer is not connected on this core')
    }
    return raw
  }

  private _reportError(err: DatSdkError, peer: Peer): void {
    try {
      this._say('extension-error', err, peer)
    } catch {
      // An 'extension-error' listener that throws has nowhere left to report to.
    }
  }

  // -- extensions ------------------------------------------------------------------------------

  /**
   * Registers an extension message type on this core. Messages are encoded with `encoding`
   * (binary by default) and decoded inside a try/catch: a payload that does not decode, or an
   * `onmessage` that throws, reaches `onerror` and `'extension-error'` as `BAD_MESSAGE`.
   */
  registerExtension<M = Uint8Array>(
    name: string,
    handlers: ExtensionHandlers<M> = {},
  ): Extension<M> {
    this._checkOpen()
    if (typeof name !== 'string' || name === '' || name === READY_EXTENSION) {
      throw new TypeError(`Bad extension name ${JSON.stringify(name)}`)
    }
    return this._extensions().register(name, handlers)
  }

  /**
   * Broadcasts `message` on an extension named in `opts.extensions` (or registered on this Core).
   * Throws `CLOSED` once closed.
   */
  extension(name: string, message: unknown): void {
    this._checkOpen()
    const bytes = encodeOrThrow(this._extensions().codecOf(name), message)
    for (const raw of this._peers.keys()) this._hs().send(raw, name, bytes)
  }

  /** @internal Used by `Peer.extension()`. */
  sendByName(name: string, message: unknown, peer: Peer): void {
    this._checkOpen()
    const bytes = encodeOrThrow(this._extensions().codecOf(name), message)
    this._hs().send(this._rawOf(peer), name, bytes)
  }
}

// Typed events (`CoreEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Core<T> {
  /** Listens for a core event (`'peer-add'`, `'peer-remove'`, `'extension-error'`, `'ready'`, `'close'`). */
  on<K extends keyof CoreEvents>(event: K, listener: Listener<CoreEvents, K>): this
  /** Listens for a core event once. */
  once<K extends keyof CoreEvents>(event: K, listener: Listener<CoreEvents, K>): this
  /** Stops listening for a core event. */
  off<K extends keyof CoreEvents>(event: K, listener: Listener<CoreEvents, K>): this
  /** Emits a core event (the core's own use). */
  emit<K extends keyof CoreEvents>(event: K, ...args: CoreEvents[K]): boolean
}

const NO_PEERS: ReadonlyMap<HypercorePeer, Peer> = new Map()

/** The session events a Core listens to. */
const SESSION_EVENTS = ['peer-add', 'peer-remove', 'append', 'close'] as const

interface SessionListeners {
  'peer-add': (raw: HypercorePeer) => void
  'peer-remove': (raw: HypercorePeer) => void
  append: () => void
  close: () => void
}

/** The events a Core's hosts emit as their own. */
type RelayedEvent = 'peer-add' | 'peer-remove' | 'extension' | 'extension-error' | 'append'

/** A structure a Core relays its events to (an event emitter: a `CoreHost`). */
export interface Relay {
  emit(event: RelayedEvent, ...args: unknown[]): boolean
}

function noop(): void {}
