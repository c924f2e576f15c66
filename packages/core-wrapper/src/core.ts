import type { Readable, Writable } from 'node:stream'
import type {
  CoreEvents as SeamCoreEvents,
  Extension as SeamExtension,
  ExtensionHandlers as SeamHandlers,
  ExtensionHost,
  Listener,
} from '@dat-sdk/interfaces'
import ReadyResource from 'ready-resource'
import {
  DatSdkError,
  resolveEncoding,
  toURL,
  type CoreRef,
  type Encoding,
  type Hypercore,
  type HypercoreOptions,
  type HypercorePeer,
  type MessageCodec,
} from '@dat-sdk/store'
import type {
  AppendResult,
  Download,
  GetOptions,
  HypercoreExtension,
  Info,
  RangeOptions,
  ReadStreamOptions,
  UpdateOptions,
} from 'hypercore'
import { Peer, type PeerOwner } from './peer.js'
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
const DEFAULT_HANDSHAKE_TIMEOUT = 2_000
/** Messages held per peer while it is not ready; past this the oldest are dropped. */
const MAX_QUEUE = 1_024

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
  /** Close the hypercore session handed in when the Core closes (default `true`). */
  closeHypercore?: boolean
}

/** Handlers of a core extension: `Peer`s of this core, `BAD_MESSAGE` to `onerror`. */
export type ExtensionHandlers<M = Uint8Array> = SeamHandlers<M, Peer>

/** A registered core extension (`Core.registerExtension()`). */
export type Extension<M = Uint8Array> = SeamExtension<M, Peer>

/** A Core's events (`CoreEvents` in @dat-sdk/interfaces, with this package's `Peer`). */
export type CoreEvents = SeamCoreEvents<Peer>

/** Anything that hands out hypercores by ref, as `@dat-sdk/store`'s `Store` does. */
export interface CoreSource {
  get<T = Uint8Array>(ref?: CoreRef, opts?: HypercoreOptions): Hypercore<T>
}

interface Registration {
  name: string
  codec: MessageCodec<unknown>
  onmessage: ((message: unknown, peer: Peer) => unknown) | undefined
  onerror: ((err: DatSdkError, peer: Peer) => void) | undefined
  destroyed: boolean
}

interface NameEntry {
  raw: HypercoreExtension<Uint8Array>
  regs: Registration[]
}

interface Queued {
  name: string
  bytes: Uint8Array
  /** When it stops waiting for the remote and is sent anyway. */
  deadline: number
}

interface PeerEntry {
  raw: HypercorePeer
  peer: Peer
  queue: Queued[]
  /** The peer said nothing within the timeout after it was added: send everything directly. */
  silent: boolean
  /** Names whose messages waited out the timeout: sent directly from then on. */
  direct: Set<string>
  helloTimer: ReturnType<typeof setTimeout> | null
  queueTimer: ReturnType<typeof setTimeout> | null
}

/**
 * What one remote (one replication peer of one core) told us, shared by every Core in this
 * process that wraps a session of that core: hypercore routes a name to a single session, so
 * whichever Core receives the announcement passes it on to the others.
 */
interface RemoteState {
  announced: boolean
  names: Set<string>
  cores: Set<Core<unknown>>
}

const remotes = new WeakMap<HypercorePeer, RemoteState>()

function remoteOf(raw: HypercorePeer): RemoteState {
  let state = remotes.get(raw)
  if (!state) {
    state = { announced: false, names: new Set(), cores: new Set() }
    remotes.set(raw, state)
  }
  return state
}

function closedError(what = 'core', cause?: unknown): DatSdkError {
  return new DatSdkError('CLOSED', `The ${what} is closed`, cause ? { cause } : undefined)
}

function isHypercoreLike(value: unknown): value is Hypercore<unknown> {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.registerExtension === 'function' &&
    typeof v.ready === 'function' &&
    typeof v.close === 'function' &&
    typeof v.append === 'function' &&
    typeof v.get === 'function' &&
    typeof v.on === 'function' &&
    typeof v.removeListener === 'function'
  )
}

function isSessionClosedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SESSION_CLOSED' || code === 'SESSION_NOT_WRITABLE_CLOSED'
}

function rethrowLater(err: unknown): void {
  process.nextTick(() => {
    throw err
  })
}

/**
 * A hypercore with typed extension messages, a peer list and the SDK's guarantees: a message
 * sent from `'peer-add'` arrives, and a bad message from a peer never crashes the process.
 *
 * `new Core(hypercore)` takes the session it is given: `close()` closes it (pass
 * `hypercore.session()` to keep yours open, or `{ closeHypercore: false }`).
 */
export class Core<T = Uint8Array> extends ReadyResource implements PeerOwner, ExtensionHost<Peer> {
  private readonly _session: Hypercore<T>
  private readonly _closeSession: boolean
  private readonly _handshakeTimeout: number
  private readonly _names = new Map<string, NameEntry>()
  private readonly _peers = new Map<HypercorePeer, PeerEntry>()
  private readonly _eventNames: ReadonlySet<string>
  private readonly _ready: HypercoreExtension<Uint8Array>
  private readonly _listeners: Array<[string, (...args: unknown[]) => void]> = []

  constructor(hypercore: Hypercore<T>, opts: CoreOptions = {}) {
    super()
    if (!isHypercoreLike(hypercore)) {
      throw new TypeError('new Core() takes a hypercore (a Hypercore 11 core or session)')
    }
    const extensions = opts.extensions ?? []
    if (!Array.isArray(extensions) || extensions.some((n) => typeof n !== 'string' || n === '')) {
      throw new TypeError('opts.extensions must be an array of non-empty names')
    }
    this._session = hypercore
    this._closeSession = opts.closeHypercore !== false
    this._handshakeTimeout = opts.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT
    this._eventNames = new Set(extensions)

    this._ready = hypercore.registerExtension<Uint8Array>(READY_EXTENSION, {
      encoding: 'binary',
      onmessage: (bytes, raw) => this._onready(bytes, raw),
    })
    for (const name of this._eventNames) {
      this._register<Uint8Array>(name, {
        onmessage: (message, peer) => {
          this.emit('extension', name, message, peer)
        },
      })
    }

    this._listen('peer-add', (raw: HypercorePeer) => this._addPeer(raw))
    this._listen('peer-remove', (raw: HypercorePeer) => this._removePeer(raw))
    this._listen('append', () => this.emit('append'))
    this._listen('close', () => {
      this.close().catch(noop)
    })

    this.ready().catch(noop)
  }

  /** Opens (or wraps) a core of `store` by name or key, as `store.get(ref, opts)` does. */
  static from<T = Uint8Array>(
    store: CoreSource,
    ref?: CoreRef,
    opts: CoreOptions & HypercoreOptions = {},
  ): Core<T> {
    const { extensions, handshakeTimeout, closeHypercore, ...hypercoreOpts } = opts
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
    for (const raw of this._session.peers) this._addPeer(raw)
  }

  protected async _close(): Promise<void> {
    this._detach()
    if (this._closeSession) await this._session.close()
  }

  private _detach(): void {
    for (const [event, fn] of this._listeners) this._session.removeListener(event, fn)
    this._listeners.length = 0
    for (const entry of this._peers.values()) this._forget(entry)
    this._peers.clear()
    for (const entry of this._names.values()) {
      for (const reg of entry.regs) reg.destroyed = true
      entry.raw.destroy()
    }
    this._names.clear()
    this._ready.destroy()
  }

  private _listen<A extends unknown[]>(event: string, fn: (...args: A) => void): void {
    const listener = fn as unknown as (...args: unknown[]) => void
    this._listeners.push([event, listener])
    this._session.on(event, listener)
  }

  private _checkOpen(): void {
    if (this.closing) throw closedError()
  }

  private async _call<R>(fn: () => Promise<R>): Promise<R> {
    if (this.closing) throw closedError()
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

  /** The public key (null until the core has opened, for a core opened by name). */
  get key(): Uint8Array | null {
    return this._session.key
  }

  get discoveryKey(): Uint8Array | null {
    return this._session.discoveryKey
  }

  /** `hyper://<z32 key>/` (null until the key is known). */
  get url(): string | null {
    const key = this._session.key
    return key ? toURL(key) : null
  }

  get id(): string | null {
    return this._session.id
  }

  get length(): number {
    return this._session.length
  }

  get contiguousLength(): number {
    return this._session.contiguousLength
  }

  get byteLength(): number {
    return this._session.byteLength
  }

  get fork(): number {
    return this._session.fork
  }

  get writable(): boolean {
    return this._session.writable
  }

  get readable(): boolean {
    return this._session.readable
  }

  append(block: T | T[]): Promise<AppendResult> {
    return this._call(() => this._session.append(block))
  }

  get(index: number, opts?: GetOptions): Promise<T | null> {
    return this._call(() => this._session.get(index, opts))
  }

  has(start: number, end?: number): Promise<boolean> {
    return this._call(() => this._session.has(start, end))
  }

  update(opts?: UpdateOptions): Promise<boolean> {
    return this._call(() => this._session.update(opts))
  }

  info(opts?: object): Promise<Info> {
    return this._call(() => this._session.info(opts))
  }

  download(range?: RangeOptions): Download {
    this._checkOpen()
    return this._session.download(range)
  }

  createReadStream(opts?: ReadStreamOptions): Readable {
    this._checkOpen()
    return this._session.createReadStream(opts)
  }

  createWriteStream(): Writable {
    this._checkOpen()
    return this._session.createWriteStream()
  }

  // -- peers -----------------------------------------------------------------------------------

  /** The peers replicating this core right now. */
  peers(): Peer[] {
    return [...this._peers.values()].map((e) => e.peer)
  }

  private _addPeer(raw: HypercorePeer): PeerEntry | null {
    const known = this._peers.get(raw)
    if (known) return known
    if (this.closing) return null
    const entry: PeerEntry = {
      raw,
      peer: new Peer(this, raw),
      queue: [],
      silent: false,
      direct: new Set(),
      helloTimer: null,
      queueTimer: null,
    }
    this._peers.set(raw, entry)
    const remote = remoteOf(raw)
    remote.cores.add(this as Core<unknown>)
    // Announce once hypercore has finished adding the peer: it fills the peer's extension map
    // (which the announcement reads) session by session, after each session's 'peer-add'.
    queueMicrotask(() => {
      if (this._peers.get(raw) === entry) this._announce(entry)
    })
    if (!remote.announced) {
      entry.helloTimer = setTimeout(() => {
        entry.helloTimer = null
        entry.silent = true
        this._flush(entry)
      }, this._handshakeTimeout)
      entry.helloTimer.unref?.()
    }
    try {
      this.emit('peer-add', entry.peer)
    } catch (err) {
      // A throwing listener is the application's bug: surface it, but not inside hypercore's
      // channel-open handler, where it would tear the replication stream down.
      rethrowLater(err)
    }
    return entry
  }

  private _removePeer(raw: HypercorePeer): void {
    const entry = this._peers.get(raw)
    if (!entry) return
    this._peers.delete(raw)
    this._forget(entry)
    try {
      this.emit('peer-remove', entry.peer)
    } catch (err) {
      rethrowLater(err)
    }
  }

  private _forget(entry: PeerEntry): void {
    if (entry.helloTimer) clearTimeout(entry.helloTimer)
    if (entry.queueTimer) clearTimeout(entry.queueTimer)
    entry.helloTimer = entry.queueTimer = null
    entry.queue = []
    remotes.get(entry.raw)?.cores.delete(this as Core<unknown>)
  }

  private _entryOf(peer: Peer | HypercorePeer): PeerEntry {
    const p = peer as Partial<Peer> | null
    const raw = (typeof p === 'object' && p !== null && p.hypercorePeer) || peer
    const entry = this._peers.get(raw as HypercorePeer)
    if (!entry || !this._session.peers.includes(entry.raw)) {
      throw new DatSdkError('UNKNOWN_PEER', 'That peer is not connected on this core')
    }
    return entry
  }

  // -- the ready handshake ---------------------------------------------------------------------

  /** The names this core handles for `raw`: ours, and any other session's hypercore routes. */
  private _handledNames(raw: HypercorePeer): string[] {
    const names = new Set(this._names.keys())
    const routed = (raw as { extensions?: unknown }).extensions
    if (routed instanceof Map) {
      for (const name of routed.keys()) if (typeof name === 'string') names.add(name)
    }
    names.delete(READY_EXTENSION)
    return [...names].slice(0, MAX_NAMES)
  }

  private _announce(entry: PeerEntry): void {
    const remote = remoteOf(entry.raw)
    const names = this._handledNames(entry.raw)
    entry.raw.extension(READY_EXTENSION, encodeReady({ heard: remote.announced, names }))
  }

  private _onready(bytes: Uint8Array, raw: HypercorePeer): void {
    try {
      const entry = this._addPeer(raw)
      if (!entry) return
      let message
      try {
        message = decodeReady(bytes)
      } catch (err) {
        this._report(err, entry.peer, undefined)
        return
      }
      const remote = remoteOf(raw)
      remote.announced = true
      for (const name of message.names) remote.names.add(name)
      for (const core of [...remote.cores]) core._onRemoteReady(raw, message.heard)
    } catch (err) {
      // Never let anything escape into hypercore's message handler.
      rethrowLater(err)
    }
  }

  private _onRemoteReady(raw: HypercorePeer, heard: boolean): void {
    const entry = this._peers.get(raw)
    if (!entry) return
    if (entry.helloTimer) {
      clearTimeout(entry.helloTimer)
      entry.helloTimer = null
    }
    if (!heard) this._announce(entry)
    this._flush(entry)
  }

  private _canSend(entry: PeerEntry, name: string): boolean {
    if (entry.direct.has(name)) return true
    const remote = remotes.get(entry.raw)
    if (remote && remote.announced) return remote.names.has(name)
    return entry.silent
  }

  private _flush(entry: PeerEntry): void {
    if (entry.queue.length === 0) return
    const waiting: Queued[] = []
    for (const q of entry.queue) {
      if (this._canSend(entry, q.name)) entry.raw.extension(q.name, q.bytes)
      else waiting.push(q)
    }
    entry.queue = waiting
  }

  private _sendBytes(entry: PeerEntry, name: string, bytes: Uint8Array): void {
    if (this._canSend(entry, name)) {
      entry.raw.extension(name, bytes)
      return
    }
    entry.queue.push({ name, bytes, deadline: Date.now() + this._handshakeTimeout })
    if (entry.queue.length > MAX_QUEUE) entry.queue.shift()
    if (!entry.queueTimer) this._armQueueTimer(entry)
  }

  /** Sends what waited out the timeout (and, from then on, its name directly). */
  private _armQueueTimer(entry: PeerEntry): void {
    if (entry.queue.length === 0 || this._peers.get(entry.raw) !== entry) return
    const wait = Math.max(0, entry.queue[0].deadline - Date.now())
    entry.queueTimer = setTimeout(() => {
      entry.queueTimer = null
      const now = Date.now()
      for (const q of entry.queue) if (q.deadline <= now) entry.direct.add(q.name)
      this._flush(entry)
      this._armQueueTimer(entry)
    }, wait)
    entry.queueTimer.unref?.()
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
    return this._register(name, handlers)
  }

  private _register<M>(name: string, handlers: ExtensionHandlers<M>): Extension<M> {
    const codec = resolveEncoding<M>(handlers.encoding) as MessageCodec<unknown>
    const reg: Registration = {
      name,
      codec,
      onmessage: handlers.onmessage as Registration['onmessage'],
      onerror: handlers.onerror,
      destroyed: false,
    }
    let entry = this._names.get(name)
    if (!entry) {
      const raw = this._session.registerExtension<Uint8Array>(name, {
        encoding: 'binary',
        onmessage: (bytes, rawPeer) => this._onmessage(name, bytes, rawPeer),
      })
      entry = { raw, regs: [] }
      this._names.set(name, entry)
      entry.regs.push(reg)
      // Tell every peer we now handle this name, so queued messages for it can flow.
      for (const p of this._peers.values()) this._announce(p)
    } else {
      entry.regs.push(reg)
    }
    return this._extension<M>(reg)
  }

  private _extension<M>(reg: Registration): Extension<M> {
    const core = this
    return {
      name: reg.name,
      send(message: M, peer: Peer): void {
        if (reg.destroyed) throw closedError('extension')
        core._checkOpen()
        const bytes = encodeOrThrow(reg.codec, message)
        core._sendBytes(core._entryOf(peer), reg.name, bytes)
      },
      broadcast(message: M): void {
        if (reg.destroyed) throw closedError('extension')
        core._checkOpen()
        const bytes = encodeOrThrow(reg.codec, message)
        for (const entry of core._peers.values()) core._sendBytes(entry, reg.name, bytes)
      },
      destroy(): void {
        core._unregister(reg)
      },
    }
  }

  private _unregister(reg: Registration): void {
    if (reg.destroyed) return
    reg.destroyed = true
    const entry = this._names.get(reg.name)
    if (!entry) return
    entry.regs = entry.regs.filter((r) => r !== reg)
    if (entry.regs.length === 0) {
      entry.raw.destroy()
      this._names.delete(reg.name)
    }
  }

  private _onmessage(name: string, bytes: Uint8Array, raw: HypercorePeer): void {
    try {
      const entry = this._addPeer(raw)
      const named = this._names.get(name)
      if (!entry || !named) return
      for (const reg of [...named.regs]) {
        if (reg.destroyed) continue
        let message: unknown
        try {
          message = reg.codec.decode(bytes)
        } catch (err) {
          this._report(err, entry.peer, reg)
          continue
        }
        this._deliver(reg, message, entry.peer)
      }
    } catch (err) {
      rethrowLater(err)
    }
  }

  private _deliver(reg: Registration, message: unknown, peer: Peer): void {
    if (!reg.onmessage) return
    try {
      const result = reg.onmessage(message, peer)
      // Never hand a pending promise back to protomux (it would hold the connection's traffic).
      if (result && typeof (result as Promise<void>).then === 'function') {
        ;(result as Promise<void>).then(noop, (err: unknown) => this._report(err, peer, reg, true))
      }
    } catch (err) {
      this._report(err, peer, reg, true)
    }
  }

  private _report(err: unknown, peer: Peer, reg: Registration | undefined, handler = false): void {
    const error =
      err instanceof DatSdkError && err.code === 'BAD_MESSAGE'
        ? err
        : new DatSdkError(
            'BAD_MESSAGE',
            handler
              ? `The handler of extension ${reg?.name} threw on a message from a peer`
              : 'A message from a peer failed to decode',
            { cause: err },
          )
    if (reg?.onerror) {
      try {
        reg.onerror(error, peer)
      } catch {
        // An onerror that throws has nowhere left to report to; the connection carries on.
      }
    }
    try {
      this.emit('extension-error', error, peer)
    } catch {
      // Same for an 'extension-error' listener.
    }
  }

  /** Broadcasts `message` on an extension named in `opts.extensions` (or registered on this Core). */
  extension(name: string, message: unknown): void {
    this._checkOpen()
    const reg = this._registrationOf(name)
    const bytes = encodeOrThrow(reg.codec, message)
    for (const entry of this._peers.values()) this._sendBytes(entry, name, bytes)
  }

  /** @internal Used by `Peer.extension()`. */
  sendByName(name: string, message: unknown, peer: Peer): void {
    this._checkOpen()
    const reg = this._registrationOf(name)
    const bytes = encodeOrThrow(reg.codec, message)
    this._sendBytes(this._entryOf(peer), name, bytes)
  }

  private _registrationOf(name: string): Registration {
    const reg = this._names.get(name)?.regs[0]
    if (!reg) {
      throw new TypeError(
        `No extension named ${JSON.stringify(name)} on this core: list it in opts.extensions or registerExtension() it`,
      )
    }
    return reg
  }
}

// Typed events (`CoreEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Core<T> {
  on<K extends keyof CoreEvents>(event: K, listener: Listener<CoreEvents, K>): this
  once<K extends keyof CoreEvents>(event: K, listener: Listener<CoreEvents, K>): this
  off<K extends keyof CoreEvents>(event: K, listener: Listener<CoreEvents, K>): this
  emit<K extends keyof CoreEvents>(event: K, ...args: CoreEvents[K]): boolean
}

function encodeOrThrow(codec: MessageCodec<unknown>, message: unknown): Uint8Array {
  let bytes: unknown
  try {
    bytes = codec.encode(message)
  } catch (err) {
    if (err instanceof TypeError) throw err
    throw new TypeError(`The message does not fit the extension's encoding`, { cause: err })
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`The extension's encoding did not produce bytes`)
  }
  return bytes
}

function noop(): void {}
