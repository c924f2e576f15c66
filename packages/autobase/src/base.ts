import { Readable, type Duplex } from 'node:stream'
import Autobase, { type AutobaseHost, type AutobaseNode, type AutoStore } from 'autobase'
import BlindPairing, { type MemberRequest, type Member } from 'blind-pairing'
import type Corestore from 'corestore'
import Hyperbee, { type HyperbeeRange, type HyperbeeWatcher } from 'hyperbee'
import ReadyResource from 'ready-resource'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import z32 from 'z32'
import {
  DatSdkError,
  isCorestore,
  isStore,
  parseRef,
  resolveEncoding,
  toHex,
  toKey,
  toURL,
  type Encoding,
  type KeyLike,
  type MessageCodec,
  type Store,
} from '@dat-sdk/store'
import { OpType, decodeOp, encodeOp, type Op } from './messages.js'
import { Pairing, type PairingPeer, type PairingSwarm } from './pairing.js'

// The default view is a Hyperbee of bytes: the Base encodes keys and values itself.
type BeeRange = HyperbeeRange<Uint8Array>
type BeeWatcher = HyperbeeWatcher<Uint8Array, Uint8Array>

export type { AutobaseHost, AutoStore }

/** A node as a custom `apply` sees it: what a writer passed to `append()`, decoded. */
export interface BaseNode<T> {
  value: T
  /** The writer that appended it. */
  from: { key: Uint8Array }
  /** Its position in that writer's log (1-based, as Autobase gives it). */
  length: number
}

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
}

/** A writer of the base, as `writers()` lists them. */
export interface BaseWriter {
  key: Uint8Array
  indexer: boolean
}

/** One entry of the default view. */
export interface BaseEntry<K, T> {
  seq: number
  key: K
  value: T
}

/** A range of the default view (keys in the view's key encoding). */
export interface BaseRange<K> {
  gt?: K
  gte?: K
  lt?: K
  lte?: K
  reverse?: boolean
  limit?: number
}

/** A read-only look at the default view at one version (what `watch()` yields). */
export interface BaseSnapshot<K, T> {
  readonly version: number
  get(key: K): Promise<BaseEntry<K, T> | null>
  createReadStream(range?: BaseRange<K>): AsyncIterable<BaseEntry<K, T>>
}

/** What `watch(range)` gives: an async iterable of `{ current, previous }`, and `close()`. */
export interface BaseWatcher<K, T> extends AsyncIterable<{
  current: BaseSnapshot<K, T>
  previous: BaseSnapshot<K, T>
}> {
  close(): Promise<void>
}

export interface BaseEvents {
  update: []
  writable: []
  unwritable: []
  'extension-error': [err: DatSdkError, peer?: PairingPeer]
  error: [err: Error]
  close: []
}

interface InviteRecord {
  publicKey: string
  expires: number
  used: boolean
  /** The writer key the invite was used for: the same candidate asking again gets the same answer. */
  usedBy?: string
}

const INVITES = 'dat-sdk/invites'
const NS = 'dat-sdk/autobase'

function closedError(): DatSdkError {
  return new DatSdkError('CLOSED', 'The base is closed')
}

function inviteError(why: string, cause?: unknown): DatSdkError {
  return new DatSdkError('INVITE_INVALID', why, { cause })
}

/** The invite bytes of an invite string (z-base-32), or null when it is not one. */
export function decodeInvite(
  invite: string,
): { bytes: Uint8Array; id: Uint8Array; discoveryKey: Uint8Array; expires: number } | null {
  if (typeof invite !== 'string' || !/^[ybndrfg8ejkmcpqxot1uwisza345h769]{60,}$/.test(invite)) {
    return null
  }
  try {
    const bytes = z32.decode(invite)
    const decoded = BlindPairing.decodeInvite(bytes)
    if (!decoded.discoveryKey) return null
    return { bytes, id: decoded.id, discoveryKey: decoded.discoveryKey, expires: decoded.expires }
  } catch {
    return null
  }
}

type Ref =
  | { kind: 'new' }
  | { kind: 'key'; key: Uint8Array }
  | { kind: 'invite'; invite: NonNullable<ReturnType<typeof decodeInvite>> }

function parseBaseRef(ref: KeyLike | null | undefined): Ref {
  if (ref === null || ref === undefined) return { kind: 'new' }
  if (ref instanceof Uint8Array) return { kind: 'key', key: toKey(ref) }
  if (typeof ref !== 'string') throw new TypeError('A base ref is a key, an invite or nothing')
  const invite = decodeInvite(ref)
  if (invite) return { kind: 'invite', invite }
  const parsed = parseRef(ref) // throws INVALID_KEY for a malformed URL
  if (parsed && 'key' in parsed) return { kind: 'key', key: parsed.key }
  throw inviteError(`${JSON.stringify(ref)} is neither a key nor an invite`)
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
  private readonly _keys: MessageCodec<K>
  private readonly _values: MessageCodec<T>
  private readonly _custom: boolean
  private _pairing: Pairing | null
  private readonly _ownsPairing: boolean
  private _member: Member | null = null
  private _stopPairingErrors: (() => void) | null = null
  private _invites = new Map<string, InviteRecord>()
  private _inviteLock: Promise<void> = Promise.resolve()
  private _discovery: { destroy(): Promise<void> } | null = null
  private _onconnection:
    ((conn: Parameters<typeof Autobase.prototype.replicate>[0]) => void) | null = null
  private readonly _watchers = new Set<BeeWatcher>()

  constructor(store: Store | Corestore, ref?: KeyLike | null, opts: BaseOptions<K, T, V> = {}) {
    super()
    if (isStore(store)) this._corestore = store.corestore
    else if (isCorestore(store)) this._corestore = store
    else throw new TypeError('new Base(store) takes a Store or a Corestore')
    this._opts = { ...opts }
    this._custom = typeof opts.apply === 'function' || typeof opts.open === 'function'
    if (this._custom && (typeof opts.apply !== 'function' || typeof opts.open !== 'function')) {
      throw new TypeError('A custom view needs both opts.open and opts.apply')
    }
    this._keys = resolveEncoding<K>(opts.keyEncoding)
    this._values = resolveEncoding<T>(opts.valueEncoding)
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
      throw new TypeError('Joining by invite needs opts.swarm (or opts.pairing)')
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
    if (this._ref.kind === 'invite') {
      const { expires } = this._ref.invite
      if (expires && expires < Date.now()) throw inviteError('The invite has expired')
    }
    let key: Uint8Array | null = null
    let namespace: string
    const ref = this._ref
    if (ref.kind === 'new') {
      namespace = this._opts.name
        ? `${NS}/name/${this._opts.name}`
        : `${NS}/new/${b4a.toString(crypto.randomBytes(16), 'hex')}`
    } else if (ref.kind === 'key') {
      key = ref.key
      namespace = `${NS}/key/${toHex(key)}`
    } else {
      namespace = `${NS}/invite/${toHex(ref.invite.id)}`
    }
    const store = this._corestore.namespace(namespace)

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
      open: (viewStore, host) => this._openView(viewStore, host),
      apply: (nodes, view, host) => this._apply(nodes, view, host),
      close: async (view) => {
        if (this._custom) await this._opts.close?.(view as V)
        else await (view as Hyperbee).close()
      },
    })
    this.autobase.on('update', () => this.emit('update'))
    this.autobase.on('writable', () => {
      this._startMember()
      this.emit('writable')
    })
    this.autobase.on('unwritable', () => {
      this._stopMember()
      this.emit('unwritable')
    })
    this.autobase.on('error', (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err)
    })
    await this.autobase.ready()
    if (this._pairing) {
      await this._pairing.ready()
      this._stopPairingErrors = this._pairing.listen(this.autobase.discoveryKey!, (err, peer) =>
        this.emit('extension-error', err, peer),
      )
    }
    await this._loadInvites()
    if (this.autobase.writable) this._startMember()
    if (this._opts.swarm && this._opts.replicate !== false) this._replicateOn(this._opts.swarm)
  }

  protected override async _close(): Promise<void> {
    for (const w of this._watchers) await w.close().catch(noop)
    this._watchers.clear()
    this._stopPairingErrors?.()
    const swarm = this._opts.swarm
    if (this._onconnection && swarm) swarm.off('connection', this._onconnection)
    if (this._discovery) await this._discovery.destroy().catch(noop)
    if (this._member) await this._member.close().catch(noop)
    this._member = null
    if (this._ownsPairing && this._pairing) await this._pairing.close().catch(noop)
    if (this.autobase) await this.autobase.close()
  }

  private async _check(): Promise<void> {
    if (this.closing) throw closedError()
    if (!this.opened) await this.ready()
    if (this.closing) throw closedError()
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

  /** This peer's writer key: what another writer passes to `addWriter()`. */
  get localKey(): Uint8Array | null {
    return this.autobase?.local?.key ?? null
  }

  /** The view: the default view's Hyperbee, or what a custom `open` returned. */
  get view(): V | Hyperbee | null {
    return this.autobase?.view ?? null
  }

  // --- the view ---------------------------------------------------------------------------------

  private _openView(store: AutoStore, host: AutobaseHost): V | Hyperbee {
    if (this._custom) return this._opts.open!(store, host)
    return new Hyperbee(store.get('view'), {
      keyEncoding: 'binary',
      valueEncoding: 'binary',
      extension: false,
    })
  }

  private async _apply(
    nodes: Array<AutobaseNode<Uint8Array | null>>,
    view: V | Hyperbee,
    host: AutobaseHost,
  ): Promise<void> {
    if (this._custom) return this._applyCustom(nodes, view as V, host)
    const batch = (view as Hyperbee).batch({ update: false })
    for (const node of nodes) {
      const op = readOp(node.value)
      if (!op) continue
      if (op.type === OpType.PUT) await batch.put(op.key, op.value)
      else if (op.type === OpType.DEL) await batch.del(op.key)
      else await applyMembership(op, host)
    }
    await batch.flush()
  }

  private async _applyCustom(
    nodes: Array<AutobaseNode<Uint8Array | null>>,
    view: V,
    host: AutobaseHost,
  ): Promise<void> {
    const apply = this._opts.apply!
    let pending: Array<BaseNode<T>> = []
    for (const node of nodes) {
      const op = readOp(node.value)
      if (!op) continue
      if (op.type === OpType.APPEND) {
        let value: T
        try {
          value = this._values.decode(op.value)
        } catch {
          continue // a value this view's encoding cannot read: skipped on every peer alike
        }
        pending.push({ value, from: { key: node.from.key }, length: node.length })
      } else if (op.type === OpType.ADD_WRITER || op.type === OpType.REMOVE_WRITER) {
        if (pending.length > 0) await apply(pending, view, host)
        pending = []
        await applyMembership(op, host)
      }
    }
    if (pending.length > 0) await apply(pending, view, host)
  }

  private _bee(): Hyperbee {
    if (this._custom) {
      throw new TypeError('This base has a custom view: use append() and read your view')
    }
    return this.autobase.view as Hyperbee
  }

  private _entry(e: { seq: number; key: Uint8Array; value: Uint8Array | null }): BaseEntry<K, T> {
    return { seq: e.seq, key: this._keys.decode(e.key), value: this._values.decode(e.value!) }
  }

  private _range(range: BaseRange<K> = {}): BeeRange {
    const out: BeeRange = {}
    if (range.gt !== undefined) out.gt = this._keys.encode(range.gt)
    if (range.gte !== undefined) out.gte = this._keys.encode(range.gte)
    if (range.lt !== undefined) out.lt = this._keys.encode(range.lt)
    if (range.lte !== undefined) out.lte = this._keys.encode(range.lte)
    if (range.reverse !== undefined) out.reverse = range.reverse
    if (range.limit !== undefined) out.limit = range.limit
    return out
  }

  private _snapshot(bee: Hyperbee): BaseSnapshot<K, T> {
    const base = this
    return {
      version: bee.version,
      async get(key) {
        const e = await bee.get(base._keys.encode(key))
        return e ? base._entry(e) : null
      },
      async *createReadStream(range) {
        for await (const e of bee.createReadStream(base._range(range))) yield base._entry(e)
      },
    }
  }

  /** Default view: sets `key` to `value`, for every peer, in the base's causal order. */
  async put(key: K, value: T): Promise<void> {
    await this._check()
    this._bee()
    await this._append({
      type: OpType.PUT,
      key: this._keys.encode(key),
      value: this._values.encode(value),
    })
  }

  /** Default view: deletes `key`. */
  async del(key: K): Promise<void> {
    await this._check()
    this._bee()
    await this._append({ type: OpType.DEL, key: this._keys.encode(key) })
  }

  /** Default view: the entry at `key` in the merged view, or null. */
  async get(key: K): Promise<BaseEntry<K, T> | null> {
    await this._check()
    const e = await this._bee().get(this._keys.encode(key))
    return e ? this._entry(e) : null
  }

  /** Default view: the entries in `range`, in key order. */
  createReadStream(range?: BaseRange<K>): Readable {
    const base = this
    return Readable.from(
      (async function* () {
        await base._check()
        for await (const e of base._bee().createReadStream(base._range(range))) {
          yield base._entry(e)
        }
      })(),
    )
  }

  /**
   * Default view: yields `{ current, previous }` snapshots each time the view changes in `range`
   * (the view changes as writers' entries arrive and are ordered). `close()` ends it.
   */
  watch(range?: BaseRange<K>): BaseWatcher<K, T> {
    const base = this
    let watcher: BeeWatcher | null = null
    let closed = false
    return {
      async close() {
        closed = true
        if (watcher) {
          base._watchers.delete(watcher)
          await watcher.close()
        }
      },
      async *[Symbol.asyncIterator]() {
        await base._check()
        if (closed) return
        watcher = base._bee().watch(base._range(range))
        base._watchers.add(watcher)
        for await (const [current, previous] of watcher) {
          yield { current: base._snapshot(current), previous: base._snapshot(previous) }
        }
      },
    }
  }

  /** Custom view: appends `value` to this writer's log; your `apply` gets it, ordered. */
  async append(value: T): Promise<void> {
    await this._check()
    if (!this._custom) throw new TypeError('append() is for a custom view: use put()/del()')
    await this._append({ type: OpType.APPEND, value: this._values.encode(value) })
  }

  private async _append(op: Op): Promise<void> {
    if (!this.autobase.writable) {
      throw new TypeError('This peer is not a writer of the base (yet): see addWriter() / invites')
    }
    await this.autobase.append(encodeOp(op))
  }

  // --- writers ----------------------------------------------------------------------------------

  /** Makes `key` (another peer's `localKey`) a writer, through the log, so every peer agrees. */
  async addWriter(key: KeyLike, opts: { indexer?: boolean } = {}): Promise<void> {
    await this._check()
    await this._append({
      type: OpType.ADD_WRITER,
      key: toKey(key),
      indexer: opts.indexer !== false,
    })
  }

  /** Removes the writer `key`: its later entries are not applied (the last indexer stays). */
  async removeWriter(key: KeyLike): Promise<void> {
    await this._check()
    await this._append({ type: OpType.REMOVE_WRITER, key: toKey(key) })
  }

  /** The base's writers now (as this peer has applied the log so far). */
  async writers(): Promise<BaseWriter[]> {
    await this._check()
    const system = this.autobase.system
    if (!system) return []
    const out: BaseWriter[] = []
    for await (const entry of system.list() as AsyncIterable<{
      key: Uint8Array
      value: { isIndexer: boolean; isRemoved: boolean }
    }>) {
      if (!entry.value.isRemoved) out.push({ key: entry.key, indexer: entry.value.isIndexer })
    }
    return out
  }

  /**
   * A replication stream of the base (its writers and views), to pipe into another peer's
   * (`a.replicate(true)` into `b.replicate(false)` and back), or attached to a connection you
   * pass. With `opts.swarm` the Base replicates on its own.
   */
  replicate(isInitiatorOrStream: boolean | Duplex, opts?: object): Duplex {
    if (this.closing) throw closedError()
    if (!this.opened) throw new TypeError('await base.ready() before replicate()')
    return this.autobase.replicate(isInitiatorOrStream, opts)
  }

  /** Fetches what peers have and brings the view up to date. */
  async update(): Promise<void> {
    await this._check()
    await this.autobase.update()
  }

  /** Appends an acknowledgement (indexers), so the order so far can be signed and settle. */
  async ack(): Promise<void> {
    await this._check()
    await this.autobase.ack()
  }

  // --- invites ----------------------------------------------------------------------------------

  /**
   * A single-use invite (a z-base-32 string): a peer that opens `new Base(store, invite)` becomes
   * a writer once this Base (or one that holds the invite) is online. `expires` is a time in
   * milliseconds since the epoch (as `Date.now()`); invites hold to the second.
   */
  async createInvite(opts: { expires?: number } = {}): Promise<string> {
    await this._check()
    if (!this._pairing) throw new TypeError('Invites need opts.swarm (or opts.pairing)')
    if (!this.autobase.writable) throw new TypeError('Only a writer can invite')
    const { expires = 0 } = opts
    if (typeof expires !== 'number' || expires < 0) {
      throw new TypeError('expires is a time in ms since the epoch')
    }
    const created = BlindPairing.createInvite(this.autobase.key!, { expires })
    this._invites.set(toHex(created.id), {
      publicKey: toHex(created.publicKey),
      expires: created.expires,
      used: false,
    })
    await this._saveInvites()
    this._startMember()
    return z32.encode(created.invite)
  }

  private async _loadInvites(): Promise<void> {
    const saved = await this.autobase.local.getUserData(INVITES)
    if (!saved) return
    try {
      const parsed = JSON.parse(b4a.toString(saved)) as Record<string, InviteRecord>
      for (const [id, rec] of Object.entries(parsed)) this._invites.set(id, rec)
    } catch {
      // an unreadable record: start afresh
    }
  }

  private async _saveInvites(): Promise<void> {
    const json = JSON.stringify(Object.fromEntries(this._invites))
    await this.autobase.local.setUserData(INVITES, json)
  }

  private _startMember(): void {
    if (this._member || !this._pairing || this.closing || !this.autobase.writable) return
    this._member = this._pairing.member(this.autobase.discoveryKey!, (request) =>
      this._onrequest(request),
    )
  }

  private _stopMember(): void {
    const member = this._member
    this._member = null
    if (member) member.close().catch(noop)
  }

  /** A pairing request: answered one at a time, so an invite is used once. */
  private _onrequest(request: MemberRequest): Promise<void> {
    const run = this._inviteLock.then(() => this._answer(request))
    this._inviteLock = run.catch(noop)
    return run
  }

  private async _answer(request: MemberRequest): Promise<void> {
    const id = toHex(request.inviteId)
    const invite = this._invites.get(id)
    if (!invite || this.closing) return // not ours: a writer that holds it answers
    let userData: Uint8Array
    try {
      userData = request.open(b4a.from(invite.publicKey, 'hex'))
    } catch {
      return // sealed with another key: not really for this invite
    }
    if (invite.used) {
      // blind-pairing may deliver one request twice (over the DHT and a connection).
      if (userData && invite.usedBy === toHex(userData)) {
        return request.confirm({ key: this.autobase.key! })
      }
      return request.deny({ status: 2 })
    }
    if (invite.expires && invite.expires < Date.now()) return request.deny({ status: 3 })
    if (!userData || userData.byteLength !== 32 || !this.autobase.writable) {
      return request.deny({ status: 1 })
    }
    invite.used = true
    invite.usedBy = toHex(userData)
    await this._saveInvites()
    await this._append({ type: OpType.ADD_WRITER, key: userData, indexer: true })
    request.confirm({ key: this.autobase.key! })
  }
}

function readOp(value: Uint8Array | null): Op | null {
  if (!value) return null // an ack
  try {
    return decodeOp(value)
  } catch {
    return null // not an entry of ours: every peer skips it alike
  }
}

async function applyMembership(op: Op, host: AutobaseHost): Promise<void> {
  if (op.type === OpType.ADD_WRITER) {
    await host.addWriter(op.key, { indexer: op.indexer })
  } else if (op.type === OpType.REMOVE_WRITER) {
    // Autobase refuses to remove the last indexer; so does the base (the entry is skipped).
    if (host.removeable(op.key)) await host.removeWriter(op.key)
  }
}

function noop(): void {}
