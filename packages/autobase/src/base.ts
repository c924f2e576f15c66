// `Base`: one Autobase behind the SDK's part shape (open, header check, append, view, writers,
// invites, replicate, close). It stays one file past ~400 lines because every method reads the
// same open state (the Autobase, its view and its key); membership, invites, pairing, the view
// kinds and the oplog detection already live in their own modules beside it.
import type { Duplex, Readable } from 'stream'
import Autobase, { type AutobaseHost, type AutoStore } from 'autobase'
import autobaseMessages from 'autobase/lib/messages.js'
import type Corestore from 'corestore'
import type Hyperbee from 'hyperbee'
import type { BaseEvents as SeamBaseEvents, Listener } from '@dat-sdk/interfaces'
import ReadyResource from 'ready-resource'
import { Meter, progressOf, type TransferStats } from '@dat-sdk/core-wrapper'
import {
  DatSdkError,
  HeaderCheck,
  closedError,
  readHyperbeeHeader,
  toEncryptionKey,
  isCorestore,
  isHypercore,
  isStore,
  resolveEncoding,
  toKey,
  toURL,
  type Encoding,
  type HeaderCheckOptions,
  type Hypercore,
  type KeyLike,
  type MessageCodec,
  type Store,
} from '@dat-sdk/store'
import { applyCustom, type BaseNode } from './custom-view.js'
import { Invites, inviteError } from './invites.js'
import {
  KvView,
  applyKv,
  openKvView,
  type BaseEntry,
  type BaseRange,
  type BaseWatcher,
} from './kv-view.js'
import { listWriters, type BaseWriter } from './membership.js'
import { OpType, encodeOp, type Op } from './messages.js'
import { Pairing, type PairingPeer, type PairingSwarm } from './pairing.js'
import { namespaceOf, parseBaseRef, type Ref } from './ref.js'

export type { AutobaseHost, AutoStore }

/** Options for a Base: its view's encodings, a custom `apply`, its swarm or pairing, encryption and indexer rules. */
export interface BaseOptions<K = Uint8Array, T = Uint8Array, V = unknown> {
  /** Default view: how keys are encoded (`'binary'`, `'utf-8'`, `'json'`, a codec). */
  keyEncoding?: Encoding<K>
  /** Values: of the default view's entries, or of what `append()` takes in a custom view. */
  valueEncoding?: Encoding<T>
  /** Custom view: makes the view from Autobase's view store (as Autobase 7's `open`). */
  open?(store: AutoStore, host: AutobaseHost): V
  /** Custom view: applies nodes to the view (as Autobase 7's `apply`; see the README on writers). */
  apply?(nodes: Array<BaseNode<T>>, view: V, host: AutobaseHost): Promise<void>
  /** Custom view: closes the view (as Autobase 7's `close`). */
  close?(view: V): Promise<void>
  /** A new base: the same name in the same store gives the same base across restarts. */
  name?: string
  /**
   * A Hyperswarm for invites (blind-pairing runs on its DHT) and, unless `replicate: false`,
   * to find peers of the base and replicate with them. The Base does not destroy it.
   */
  swarm?: PairingSwarm
  /** A `Pairing` shared by several bases on one swarm (used instead of making one; not closed). */
  pairing?: Pairing
  /** With `swarm`: join the base's discovery key and replicate on its connections (default true). */
  replicate?: boolean
  /** Joining by invite: how long (ms) to wait for a writer to answer (default 60,000). */
  timeout?: number
  /** Autobase's automatic ack interval (ms, default Autobase's). */
  ackInterval?: number
  /** How often blind-pairing polls the DHT when the Base makes its own `Pairing` (ms). */
  poll?: number
  /**
   * Encrypts the base (its writers' logs and its views, at rest and on the wire) with Autobase's
   * block encryption: 32 bytes, any key spelling (a malformed key is `INVALID_KEY`). Every peer
   * needs the same key; without it, or with a wrong one, reads reject `DECRYPTION_FAILED`.
   * Autobase keeps the key in the writer's local core, so the same store reopens the base without it.
   */
  encryptionKey?: KeyLike | null
}

/** A Base's events (`BaseEvents` in @dat-sdk/interfaces, with blind-pairing's peers). */
export type BaseEvents = SeamBaseEvents<PairingPeer>

// Typed events, merged into the class below.
export interface Base<K = Uint8Array, T = Uint8Array, V = unknown> {
  /** Listens for a base event (`'update'`, `'writer-add'`, `'writer-remove'`, `'error'`, `'ready'`, `'close'`). */
  on<E extends keyof BaseEvents>(event: E, listener: Listener<BaseEvents, E>): this
  /** Listens for a base event once. */
  once<E extends keyof BaseEvents>(event: E, listener: Listener<BaseEvents, E>): this
  /** Stops listening for a base event. */
  off<E extends keyof BaseEvents>(event: E, listener: Listener<BaseEvents, E>): this
  /** Emits a base event (the base's own use). */
  emit<E extends keyof BaseEvents>(event: E, ...args: BaseEvents[E]): boolean
}

/**
 * Many writers, one ordered view, on Autobase 7. By default the view is a key-value store every
 * writer `put()`s into; give `open` and `apply` for a view of your own. Writers are added through
 * the log (`addWriter()`) or by invite (`createInvite()`, then `new Base(store, invite)`).
 */
export class Base<K = Uint8Array, T = Uint8Array, V = unknown> extends ReadyResource {
  /** The Autobase underneath (set once `ready()` resolves). */
  autobase!: Autobase<V | Hyperbee, Uint8Array>

  private readonly _corestore: Corestore
  private readonly _opts: BaseOptions<K, T, V>
  private readonly _ref: Ref
  private _refError: unknown = null
  private readonly _values: MessageCodec<T>
  private readonly _custom: boolean
  private readonly _kv: KvView<K, T>
  private _pairing: Pairing | null
  private readonly _ownsPairing: boolean
  private _invites: Invites | null = null
  private _stopPairingErrors: (() => void) | null = null
  private _discovery: { destroy(): Promise<void> } | null = null
  private _onconnection:
    ((conn: Parameters<typeof Autobase.prototype.replicate>[0]) => void) | null = null
  private readonly _encryptionKey: Uint8Array | null
  /**
   * Block 0 of the system core must be its header, and block 0 of the base's first writer log (a
   * reader that cannot decrypt the logs never gets a system core) must decode as a log entry: a
   * missing or wrong key is `DECRYPTION_FAILED`.
   */
  private readonly _header = new HeaderCheck(
    'base',
    (opts) => {
      const system = this.autobase?.system
      if (system && system.db.core.length > 0) return readHyperbeeHeader(system.db, opts)
      return this._readFirstLogEntry(opts)
    },
    () => Math.max(this.autobase?.system?.db.core.length ?? 0, this._bootstrap?.length ?? 0),
  )
  /** A session of the base's first writer log (its key is the base's), read by the check. */
  private _bootstrap: Hypercore<unknown> | null = null
  /** @internal Counts the transfers of the base's cores (the SDK sums its parts' meters). */
  readonly meter: Meter = new Meter({ onprogress: progressOf(this) })

  constructor(store: Store | Corestore, ref?: KeyLike | null, opts: BaseOptions<K, T, V> = {}) {
    super()
    if (isStore(store)) this._corestore = store.corestore
    else if (isCorestore(store)) this._corestore = store
    else throw new TypeError('new Base(store) takes a Store or a Corestore')
    this._opts = { ...opts }
    this._encryptionKey = toEncryptionKey(opts.encryptionKey)
    this._custom = typeof opts.apply === 'function' || typeof opts.open === 'function'
    if (this._custom && (typeof opts.apply !== 'function' || typeof opts.open !== 'function')) {
      throw new TypeError('A custom view needs both opts.open and opts.apply')
    }
    const keys = resolveEncoding<K>(opts.keyEncoding)
    this._values = resolveEncoding<T>(opts.valueEncoding)
    this._kv = new KvView<K, T>(
      {
        bee: async () => {
          await this._check()
          await this._verified()
          return this._bee()
        },
        append: (op) => this._append(op),
      },
      keys,
      this._values,
    )
    let parsed: Ref = { kind: 'new' }
    try {
      parsed = parseBaseRef(ref) // INVITE_INVALID / INVALID_KEY: ready() rejects with it
    } catch (err) {
      this._refError = err
    }
    this._ref = parsed
    this._ownsPairing = !opts.pairing && !!opts.swarm
    this._pairing =
      opts.pairing ?? (opts.swarm ? new Pairing(opts.swarm, { poll: opts.poll }) : null)
    if (this._ref.kind === 'invite' && !this._pairing) {
      throw new DatSdkError('NOT_SUPPORTED', 'Joining by invite needs opts.swarm (or opts.pairing)')
    }
    this.ready().catch(noop)
  }

  // --- lifecycle --------------------------------------------------------------------------------

  protected override async _open(): Promise<void> {
    try {
      await this._openBase()
    } catch (err) {
      // ready-resource skips _close after a failed open: release what was made here.
      await this._close().catch(noop)
      throw err
    }
  }

  private async _openBase(): Promise<void> {
    if (this._refError) throw this._refError
    const ref = this._ref
    if (ref.kind === 'invite') {
      const { expires } = ref.invite
      if (expires && expires < Date.now()) throw inviteError('The invite has expired')
    }
    let key: Uint8Array | null = ref.kind === 'key' ? ref.key : null
    const store = this._corestore.namespace(namespaceOf(ref, this._opts.name))

    if (ref.kind === 'invite') {
      try {
        const localKey = await Autobase.getLocalKey(store)
        const pairing = this._pairing!
        await pairing.ready()
        const result = await pairing.pair(ref.invite.bytes, localKey, this._opts.timeout ?? 60_000)
        key = result.key
      } catch (err) {
        await store.close().catch(noop)
        throw err
      }
      if (this.closing) {
        await store.close().catch(noop)
        return
      }
    }

    this.autobase = new Autobase<V | Hyperbee, Uint8Array>(store, key, {
      valueEncoding: 'binary',
      ackInterval: this._opts.ackInterval,
      ...(this._encryptionKey ? { encryptionKey: this._encryptionKey } : {}),
      open: (viewStore, host) =>
        this._custom ? this._opts.open!(viewStore, host) : openKvView(viewStore),
      apply: async (nodes, view, host) => {
        if (this._custom) await applyCustom(nodes, view as V, host, this._opts.apply!, this._values)
        else await applyKv(nodes, view as Hyperbee, host)
      },
      close: async (view) => {
        if (this._custom) await this._opts.close?.(view as V)
        else await (view as Hyperbee).close()
      },
    })
    // The system core's session exists from here on, and a reader can fast-forward it (download
    // it whole) before ready() resolves: count it from now, not from the first update.
    this._meterCores()
    this.autobase.on('update', () => {
      this._meterCores()
      this.emit('update')
    })
    this.autobase.on('writable', () => {
      if (!this.closing) this._invites?.start()
      this.emit('writable')
    })
    this.autobase.on('unwritable', () => {
      this._invites?.stop()
      this.emit('unwritable')
    })
    this.autobase.on('error', (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err)
    })
    await this.autobase.ready()
    this._bootstrap = this.autobase.store.get({
      key: this.autobase.key!,
      active: false,
      encryption: this.autobase.getWriterEncryption(),
      valueEncoding: autobaseMessages.OplogMessage,
    })
    await this._bootstrap.ready()
    this._meterCores()
    if (this._pairing) {
      await this._pairing.ready()
      this._stopPairingErrors = this._pairing.listen(this.autobase.discoveryKey!, (err, peer) =>
        this.emit('extension-error', err, peer),
      )
      this._invites = new Invites(this.autobase, this._pairing, (writer) =>
        this._append({ type: OpType.ADD_WRITER, key: writer, indexer: true }),
      )
      await this._invites.ready()
      if (!this.closing) this._invites.start()
    }
    if (this._opts.swarm && this._opts.replicate !== false) this._replicateOn(this._opts.swarm)
  }

  /** Counts every core the base has now: its key core, the writers' and the system view's. */
  private _meterCores(): void {
    for (const core of this._cores()) this.meter.add(core)
  }

  private _cores(): Hypercore<unknown>[] {
    const base = this.autobase
    if (!base) return []
    const cores: Hypercore<unknown>[] = []
    if (this._bootstrap) cores.push(this._bootstrap)
    if (base.core) cores.push(base.core)
    if (base.local) cores.push(base.local)
    for (const w of base.activeWriters ?? []) if (w.core) cores.push(w.core)
    if (base.system?.db?.core) cores.push(base.system.db.core)
    // The key-value view's core (a custom view's cores are the app's to count).
    const view = base.view as { core?: unknown } | null | undefined
    if (!this._custom && view && isHypercore(view.core)) cores.push(view.core)
    return cores
  }

  /**
   * Blocks and bytes the base's cores (its writers' and its system view's) have and have moved
   * since it opened, its peers (connections replicating any of them) and its speeds (bytes per
   * second over the last few seconds). Bytes are block payload bytes, not wire bytes.
   */
  stats(): TransferStats {
    const cores = this._cores()
    const streams = new Set<unknown>()
    for (const core of cores) for (const peer of core.peers) streams.add(peer.stream)
    return this.meter.stats(streams.size, cores)
  }

  protected override async _close(): Promise<void> {
    this.meter.destroy()
    // Invites first: a base that is closing answers no more pairing requests.
    if (this._invites) await this._invites.close()
    await this._kv.close()
    this._stopPairingErrors?.()
    const swarm = this._opts.swarm
    if (this._onconnection && swarm) swarm.off('connection', this._onconnection)
    if (this._discovery) await this._discovery.destroy().catch(noop)
    if (this._ownsPairing && this._pairing) await this._pairing.close().catch(noop)
    if (this._bootstrap) await this._bootstrap.close().catch(noop)
    if (this.autobase) await this.autobase.close()
  }

  /** Block 0 of the first writer log: true when it decodes as a log entry, false when not. */
  private async _readFirstLogEntry(opts: HeaderCheckOptions): Promise<boolean | null> {
    const core = this._bootstrap
    if (!core || core.length === 0) return null
    try {
      return (await core.get(0, opts)) === null ? null : true
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === 'DECODING_ERROR') return false
      throw err
    }
  }

  private async _check(): Promise<void> {
    if (this.closing) throw closedError('base')
    if (!this.opened) await this.ready()
    if (this.closing) throw closedError('base')
  }

  /** Checks the system core's header (once it has blocks): `DECRYPTION_FAILED` when it fails. */
  private async _verified(): Promise<void> {
    await this._header.verify()
    this._header.assert()
  }

  private _replicateOn(swarm: PairingSwarm): void {
    const base = this.autobase
    this._onconnection = (conn) => {
      if (!this.closing) base.replicate(conn)
    }
    swarm.on('connection', this._onconnection)
    for (const conn of swarm.connections) base.replicate(conn)
    this._discovery = swarm.join(base.discoveryKey!, { server: true, client: true }) as {
      destroy(): Promise<void>
    }
  }

  // --- getters ----------------------------------------------------------------------------------

  /** The base's key (null until `ready()` when joining by invite). */
  get key(): Uint8Array | null {
    return this.autobase?.key ?? (this._ref.kind === 'key' ? this._ref.key : null)
  }

  /** The discovery key, the topic the base's peers meet on, or null before it opens. */
  get discoveryKey(): Uint8Array | null {
    return this.autobase?.discoveryKey ?? null
  }

  /** `hyper://<z32 key>/` */
  get url(): string | null {
    const key = this.key
    return key ? toURL(key) : null
  }

  /** True once this peer's writer has been added (and not removed). */
  get writable(): boolean {
    return !!this.autobase && this.autobase.writable
  }

  /** True when the base is encrypted (opened with an `encryptionKey`, or reopened with one kept). */
  get encrypted(): boolean {
    return this.encryptionKey !== null
  }

  /**
   * The key the base is encrypted with, or null: a secret, for the app to keep (the Base never
   * puts it in a URL, a message or on the wire).
   */
  get encryptionKey(): Uint8Array | null {
    return this.autobase?.encryptionKey ?? this._encryptionKey
  }

  /**
   * What `util.inspect()` (and so `console.log()`) shows: a summary, never the internals, which
   * hold an encrypted part's key.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const length = this.autobase?.length ?? 0
    return `Base { url: ${this.url ?? 'null'}, writable: ${this.writable}, length: ${length}, encrypted: ${this.encrypted} }`
  }

  /** This peer's writer key: what another writer passes to `addWriter()`. */
  get localKey(): Uint8Array | null {
    return this.autobase?.local?.key ?? null
  }

  /** The view: the default view's Hyperbee, or what a custom `open` returned. */
  get view(): V | Hyperbee | null {
    return this.autobase?.view ?? null
  }

  // --- the default view ------------------------------------------------------------------------

  private _bee(): Hyperbee {
    if (this._custom) {
      throw new DatSdkError(
        'NOT_SUPPORTED',
        'This base has a custom view: use append() and read your view',
      )
    }
    return this.autobase.view as Hyperbee
  }

  /** Default view: sets `key` to `value`, for every peer, in the base's causal order. */
  put(key: K, value: T): Promise<void> {
    return this._kv.put(key, value)
  }

  /** Default view: deletes `key`. */
  del(key: K): Promise<void> {
    return this._kv.del(key)
  }

  /** Default view: the entry at `key` in the merged view, or null. */
  get(key: K): Promise<BaseEntry<K, T> | null> {
    return this._kv.get(key)
  }

  /** Default view: the entries in `range`, in key order. */
  createReadStream(range?: BaseRange<K>): Readable {
    return this._kv.createReadStream(range)
  }

  /**
   * Default view: yields `{ current, previous }` snapshots each time the view changes in `range`
   * (the view changes as writers' entries arrive and are ordered). `close()` ends it.
   */
  watch(range?: BaseRange<K>): BaseWatcher<K, T> {
    return this._kv.watch(range)
  }

  // --- a custom view ----------------------------------------------------------------------------

  /**
   * Custom view: appends `value` to this writer's log; your `apply` gets it, ordered.
   * Rejects with `NOT_SUPPORTED` on a base with the default view, `NOT_WRITABLE` on a peer that is
   * not a writer, `CLOSED` once closed.
   */
  async append(value: T): Promise<void> {
    await this._check()
    if (!this._custom) {
      throw new DatSdkError('NOT_SUPPORTED', 'append() is for a custom view: use put()/del()')
    }
    await this._append({ type: OpType.APPEND, value: this._values.encode(value) })
  }

  private async _append(op: Op): Promise<void> {
    if (!this.autobase.writable) {
      throw new DatSdkError(
        'NOT_WRITABLE',
        'This peer is not a writer of the base (yet): see addWriter() / invites',
      )
    }
    await this.autobase.append(encodeOp(op))
  }

  // --- writers ----------------------------------------------------------------------------------

  /**
   * Makes `key` (another peer's `localKey`) a writer, through the log, so every peer agrees.
   * Rejects with `NOT_WRITABLE` on a peer that is not a writer, `INVALID_KEY` on a malformed key,
   * `CLOSED` once closed.
   */
  async addWriter(key: KeyLike, opts: { indexer?: boolean } = {}): Promise<void> {
    await this._check()
    await this._append({
      type: OpType.ADD_WRITER,
      key: toKey(key),
      indexer: opts.indexer !== false,
    })
  }

  /**
   * Removes the writer `key`: its later entries are not applied (the last indexer stays).
   * Rejects with `NOT_WRITABLE` on a peer that is not a writer, `INVALID_KEY` on a malformed key,
   * `CLOSED` once closed.
   */
  async removeWriter(key: KeyLike): Promise<void> {
    await this._check()
    await this._append({ type: OpType.REMOVE_WRITER, key: toKey(key) })
  }

  /**
   * The base's writers now (as this peer has applied the log so far).
   * Rejects with `CLOSED` once closed.
   */
  async writers(): Promise<BaseWriter[]> {
    await this._check()
    return listWriters(this.autobase.system)
  }

  /**
   * A single-use invite (a z-base-32 string): a peer that opens `new Base(store, invite)` becomes
   * a writer once this Base (or one that holds the invite) is online. `expires` is a time in
   * milliseconds since the epoch (as `Date.now()`); invites hold to the second.
   * Rejects with `NOT_SUPPORTED` without `opts.swarm` (or `opts.pairing`), `NOT_WRITABLE` on a peer
   * that is not a writer, `CLOSED` once closed.
   */
  async createInvite(opts: { expires?: number } = {}): Promise<string> {
    await this._check()
    if (!this._invites) {
      throw new DatSdkError('NOT_SUPPORTED', 'Invites need opts.swarm (or opts.pairing)')
    }
    return this._invites.create(opts)
  }

  // --- replication ------------------------------------------------------------------------------

  /**
   * A replication stream of the base (its writers and views), to pipe into another peer's
   * (`a.replicate(true)` into `b.replicate(false)` and back), or attached to a connection you
   * pass. With `opts.swarm` the Base replicates on its own.
   * Throws `NOT_READY` before `ready()`, `CLOSED` once closed.
   */
  replicate(isInitiatorOrStream: boolean | Duplex, opts?: object): Duplex {
    if (this.closing) throw closedError('base')
    if (!this.opened) throw new DatSdkError('NOT_READY', 'await base.ready() before replicate()')
    return this.autobase.replicate(isInitiatorOrStream, opts)
  }

  /**
   * Fetches what peers have and brings the view up to date, as `Core` / `Drive` / `Bee` do:
   * `{ wait: true }` first waits for the connected peers to tell each writer's latest length,
   * and for its entries up to there.
   * Resolves true when the view changed during the call.
   * Rejects with `CLOSED` once closed.
   */
  async update(opts: { wait?: boolean } = {}): Promise<boolean> {
    await this._check()
    const base = this.autobase
    let changed = false
    const onupdate = () => {
      changed = true
    }
    base.on('update', onupdate)
    try {
      if (opts.wait) {
        // Each writer's latest length from the peers, and its entries up to there: Autobase
        // applies only what is local.
        const writers = [...base.activeWriters].map((w) => w.core).filter((c) => !c.writable)
        await Promise.all(
          writers.map(async (core) => {
            await core.update({ wait: true })
            const start = core.contiguousLength
            if (start < core.length) await core.download({ start, end: core.length }).done()
          }),
        )
      }
      await base.update()
    } finally {
      base.off('update', onupdate)
    }
    return changed
  }

  /**
   * Appends an acknowledgement (indexers), so the order so far can be signed and settle.
   * Rejects with `CLOSED` once closed.
   */
  async ack(): Promise<void> {
    await this._check()
    await this.autobase.ack()
  }
}

function noop(): void {}
