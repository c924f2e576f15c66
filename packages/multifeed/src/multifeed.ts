import type { Duplex } from 'node:stream'
import b4a from 'b4a'
import type { Listener, MultifeedEvents, NetworkPeerLike, NetworkerLike } from '@dat-sdk/interfaces'
import ReadyResource from 'ready-resource'
import {
  closedError,
  layout,
  isCorestore,
  isStore,
  DatSdkError,
  Store,
  toKey,
  type Corestore,
  type Hypercore,
  type KeyLike,
} from '@dat-sdk/store'
import { FeedIndex, type IndexEntry } from './feed-index.js'
import { DEFAULT_ROOT_KEY, channelId, type ManifestEntry } from './messages.js'
import type { SessionHost } from './hosts.js'
import { joinNetworker, leaveNetworkers, type Joined } from './join.js'
import type { MultifeedOptions, ReplicateOptions, ValueEncoding, WriterOptions } from './options.js'
import { Session, type MultifeedPeer, type SessionOptions } from './session.js'
import { noiseOf } from './stream.js'

export type { MultifeedPeer }

const DEFAULT_MAX_FEEDS = 1024

// Typed events (`MultifeedEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Multifeed<T = Uint8Array> {
  /** Listens for a multifeed event (`'feed'`, `'extension-error'`, `'ready'`, `'close'`). */
  on<K extends keyof Events<T>>(event: K, listener: Listener<Events<T>, K>): this
  /** Listens for a multifeed event once. */
  once<K extends keyof Events<T>>(event: K, listener: Listener<Events<T>, K>): this
  /** Stops listening for a multifeed event. */
  off<K extends keyof Events<T>>(event: K, listener: Listener<Events<T>, K>): this
  /** Emits a multifeed event (the multifeed's own use). */
  emit<K extends keyof Events<T>>(event: K, ...args: Events<T>[K]): boolean
}

type Events<T> = MultifeedEvents<Hypercore<T>>

/**
 * Many hypercores by many authors, stored together: local writers by name, remote feeds as they
 * arrive, and replication that first swaps manifests so each side learns the other's feeds.
 *
 * Events: `'feed' (feed, name)` for every feed added, loaded ones included (name is null for a
 * remote feed); `'remote-feeds' ()` when a remote's manifest has been taken in (also emitted on
 * the replication stream); `'handshake' (userData, peer)`; `'extension-error' (err, peer)`.
 */
export class Multifeed<T = Uint8Array> extends ReadyResource {
  /** The root key's discovery key: the channel id of the exchange and `join()`'s swarm topic. */
  readonly discoveryKey: Uint8Array
  /** How many feeds a peer may make us hold before `TOO_MANY_FEEDS`. */
  readonly maxFeeds: number
  /** The store namespace the feeds live in. */
  readonly store: Store

  private readonly _rootKey: Uint8Array
  private readonly _storage: Store
  private readonly _ownsStorage: boolean
  private readonly _valueEncoding: ValueEncoding | undefined
  private readonly _accept: ((key: Uint8Array) => boolean) | null
  private _index: FeedIndex | null = null
  private readonly _feeds: Array<Hypercore<T>> = []
  private readonly _byKey = new Map<string, Hypercore<T>>()
  private readonly _byName = new Map<string, Hypercore<T>>()
  private readonly _local = new Set<string>()
  private readonly _writers = new Map<string, Promise<Hypercore<T>>>()
  private readonly _adding = new Map<string, Promise<void>>()
  private readonly _reserved = new Map<string, number>()
  private readonly _downloads: Array<{ destroy(): void }> = []
  private readonly _sessions = new Set<Session>()
  private readonly _networkers = new Map<NetworkerLike, Joined>()
  private readonly _host: SessionHost

  constructor(storage: string | Store | Corestore, opts: MultifeedOptions = {}) {
    super()
    // Options first: nothing is opened for a constructor that throws.
    const maxFeeds = opts.maxFeeds ?? DEFAULT_MAX_FEEDS
    if (!Number.isInteger(maxFeeds) || maxFeeds < 0) {
      throw new TypeError('maxFeeds must be a non-negative integer')
    }
    if (opts.accept !== undefined && typeof opts.accept !== 'function') {
      throw new TypeError('accept must be a function')
    }
    this.maxFeeds = maxFeeds
    this._rootKey =
      opts.encryptionKey === undefined ? DEFAULT_ROOT_KEY : b4a.from(toKey(opts.encryptionKey))
    this.discoveryKey = channelId(this._rootKey)
    this._valueEncoding = opts.valueEncoding
    this._accept = opts.accept ?? null
    if (typeof storage === 'string') {
      this._storage = new Store(storage)
      this._ownsStorage = true
    } else if (isStore(storage)) {
      this._storage = storage
      this._ownsStorage = false
    } else if (isCorestore(storage)) {
      // A wrapper of ours around the user's Corestore: closing it leaves their Corestore open.
      this._storage = new Store(storage)
      this._ownsStorage = true
    } else {
      throw new TypeError('Multifeed storage must be a directory, a Store or a Corestore')
    }
    this.store = this._storage.namespace(layout.multifeedFeeds)
    this._host = this._makeHost()
    this.ready().catch(noop)
  }

  protected async _open(): Promise<void> {
    try {
      await this.store.ready()
      this._index = new FeedIndex(this.store.get<Uint8Array>({ name: layout.multifeedIndex }))
      const entries = await this._index.load()
      const cores = entries.map((e) => this._openFeed(e.key))
      await Promise.all(cores.map((core) => core.ready()))
      entries.forEach((e, i) => this._addFeed(cores[i], e.name))
    } catch (err) {
      // ready-resource skips _close() after a failed open: release the storage here.
      await this._release()
      throw err
    }
  }

  protected async _close(): Promise<void> {
    await leaveNetworkers(this._networkers, this.discoveryKey)
    for (const session of [...this._sessions]) session.leave(this._host)
    for (const download of this._downloads) download.destroy()
    // Writers still being made finish (or fail) before their cores are closed under them.
    await Promise.allSettled([...this._writers.values(), ...this._adding.values()])
    await this._release()
  }

  private async _release(): Promise<void> {
    this._feeds.length = 0
    this._byKey.clear()
    this._byName.clear()
    await this.store.close().catch(noop)
    if (this._ownsStorage) await this._storage.close()
  }

  /**
   * The local feed named `name`, made on first use: the same name gives the same feed across
   * restarts, and concurrent calls for one name give one feed.
   * Rejects with `CLOSED` once closed.
   */
  writer(name = 'default', opts: WriterOptions = {}): Promise<Hypercore<T>> {
    if (this.closing) return Promise.reject(closedError('multifeed'))
    if (typeof name !== 'string' || name === '') {
      return Promise.reject(new TypeError('A writer name must be a non-empty string'))
    }
    let writer = this._writers.get(name)
    if (!writer) {
      writer = this._makeWriter(name, opts)
      this._writers.set(name, writer)
      writer.catch(() => this._writers.delete(name))
    }
    return writer
  }

  /** Every feed, local and remote, in the order they were added (the same after a restart). */
  feeds(): Array<Hypercore<T>> {
    return [...this._feeds]
  }

  /** The feed with this key (bytes, hex or any key spelling), if we have it. */
  feed(key: KeyLike): Hypercore<T> | undefined {
    return this._byKey.get(b4a.toString(toKey(key), 'hex'))
  }

  /**
   * A replication stream: exchanges manifests, downloads the remote feeds it accepts and, unless
   * `live`, ends once both sides hold every block of every feed present at the exchange. Pass an
   * existing replication stream (or a Hyperswarm connection) to run the exchange on it instead.
   * Throws `CLOSED` once closed.
   */
  replicate(isInitiator: boolean | Duplex, opts: ReplicateOptions = {}): Duplex {
    if (this.closing) throw closedError('multifeed')
    const owns = typeof isInitiator === 'boolean'
    const stream = owns ? this.store.replicate(isInitiator) : isInitiator
    this._attach(stream, {
      live: !!opts.live,
      userData: opts.userData ?? null,
      mode: 'replicate',
      ownsStream: owns,
    })
    return stream
  }

  /**
   * Runs the exchange, live, on every connection of `networker` (present and future), and joins
   * the root key's discovery key as a topic so peers with the same root key find each other.
   * Rejects with `CLOSED` once closed; a networker without connection streams gets an
   * `'extension-error'` with `NOT_SUPPORTED`.
   */
  async join(networker: NetworkerLike): Promise<void> {
    if (this.closing) throw closedError('multifeed')
    await this.ready()
    if (this._networkers.has(networker)) return
    const onpeer = (peer: NetworkPeerLike): void => {
      if (this.closing) return
      if (!peer.stream) {
        const why = 'This networker gives no connection stream, so it cannot carry multifeeds'
        this.emit('extension-error', new DatSdkError('NOT_SUPPORTED', why))
        return
      }
      this._attach(peer.stream, { live: true, userData: null, mode: 'join', ownsStream: false })
    }
    await joinNetworker(this._networkers, networker, this.discoveryKey, onpeer)
  }

  private _attach(stream: Duplex, opts: SessionOptions): void {
    const noise = noiseOf(stream, this.store)
    const { session, fresh } = Session.attach(this._host, stream, noise, opts)
    if (this._sessions.has(session)) return
    this._sessions.add(session)
    if (this.opened) this._replicateFeeds(session, this._feeds)
    if (fresh) session.start().catch(noop)
  }

  private _replicateFeeds(session: Session, feeds: Array<Hypercore<T>>): void {
    // hypercore ignores a core already attached to this connection (by corestore or by us).
    for (const core of feeds) if (!core.closing) core.replicate(session.noise)
  }

  private async _makeWriter(name: string, opts: WriterOptions): Promise<Hypercore<T>> {
    await this.ready()
    const existing = this._byName.get(name)
    if (existing) return existing
    const core = opts.keyPair
      ? this.store.get<T>(null, { keyPair: opts.keyPair, valueEncoding: this._valueEncoding })
      : this.store.get<T>(
          { name: layout.multifeedWriter(name) },
          { valueEncoding: this._valueEncoding },
        )
    await core.ready()
    if (this.closing) throw closedError('multifeed')
    const hex = b4a.toString(core.key!, 'hex')
    if (this._byKey.has(hex)) {
      // The key pair gave a feed we already have (as a remote feed): it becomes this name's writer.
      await core.close()
      const known = this._byKey.get(hex)!
      this._byName.set(name, known)
      return known
    }
    await this._index!.add([{ key: core.key!, name }])
    this._addFeed(core, name)
    this._announce([core], null)
    return core
  }

  private _openFeed(key: Uint8Array): Hypercore<T> {
    return this.store.get<T>({ key }, { valueEncoding: this._valueEncoding })
  }

  private _addFeed(core: Hypercore<T>, name: string | null, downloading = false): void {
    const hex = b4a.toString(core.key!, 'hex')
    this._feeds.push(core)
    this._byKey.set(hex, core)
    if (name !== null) {
      this._byName.set(name, core)
      this._local.add(hex)
    } else if (!downloading) {
      this._download(core)
    }
    for (const session of this._sessions) this._replicateFeeds(session, [core])
    this.emit('feed', core, name)
  }

  private async _addRemoteFeeds(keys: Uint8Array[], from: Session): Promise<void> {
    await this.ready()
    const fresh: Uint8Array[] = []
    const waits: Array<Promise<void>> = []
    for (const key of keys) {
      const hex = b4a.toString(key, 'hex')
      if (this._byKey.has(hex)) continue
      const adding = this._adding.get(hex)
      if (adding) waits.push(adding)
      else fresh.push(key)
    }
    if (fresh.length > 0) {
      const batch = this._openRemoteFeeds(fresh, from)
      for (const key of fresh) this._adding.set(b4a.toString(key, 'hex'), batch)
      batch
        .finally(() => {
          for (const key of fresh) this._adding.delete(b4a.toString(key, 'hex'))
        })
        .catch(noop)
      waits.push(batch)
    }
    await Promise.all(waits)
  }

  private async _openRemoteFeeds(keys: Uint8Array[], from: Session): Promise<void> {
    if (this.closing) return
    const cores = keys.map((key) => this._openFeed(key))
    // Each feed starts downloading as soon as it is open (the download attaches it to every
    // replication stream of the store), not once the whole batch is open and indexed.
    for (const core of cores) this._download(core)
    await Promise.all(cores.map((core) => core.ready()))
    if (this.closing) return
    const entries: IndexEntry[] = cores.map((core) => ({ key: core.key!, name: null }))
    await this._index!.add(entries)
    for (const core of cores) this._addFeed(core, null, true)
    this._announce(cores, from)
  }

  /** A multifeed holds all of every feed it accepted: keep downloading whatever appears. */
  private _download(core: Hypercore<T>): void {
    this._downloads.push(core.download({ start: 0, end: -1 }))
  }

  /** Tells every live connection but `from` about feeds that appeared after its exchange. */
  private _announce(cores: Array<Hypercore<T>>, from: Session | null): void {
    const entries = cores.map((core) => ({ key: core.key!, length: core.contiguousLength }))
    for (const session of this._sessions) if (session !== from) session.announce(entries)
  }

  private _remoteCount(): number {
    return this._feeds.length - this._local.size
  }

  private _makeHost(): SessionHost {
    return {
      rootKey: this._rootKey,
      channelId: this.discoveryKey,
      ready: () => this.ready(),
      manifest: (): ManifestEntry[] =>
        this._feeds.map((core) => ({ key: core.key!, length: core.contiguousLength })),
      want: (entries) => {
        const keys: Uint8Array[] = []
        const fresh: string[] = []
        const seen = new Set<string>()
        for (const { key, length } of entries) {
          const hex = b4a.toString(key, 'hex')
          if (seen.has(hex)) continue
          seen.add(hex)
          const core = this._byKey.get(hex)
          if (core) {
            // Ours to write: the remote cannot hold more of it than we do.
            if (this._local.has(hex) || core.contiguousLength >= length) continue
          } else if (!this._adding.has(hex) && !this._reserved.has(hex)) {
            if (this._accept && !this._accept(b4a.from(key))) continue
            fresh.push(hex)
          }
          keys.push(b4a.from(key))
        }
        if (this._remoteCount() + this._reserved.size + fresh.length > this.maxFeeds) {
          throw new DatSdkError(
            'TOO_MANY_FEEDS',
            `The remote offered more feeds than maxFeeds (${this.maxFeeds}) allows`,
          )
        }
        for (const hex of fresh) this._reserved.set(hex, (this._reserved.get(hex) ?? 0) + 1)
        return { keys, reserved: fresh }
      },
      release: (reserved) => {
        for (const hex of reserved) {
          const n = (this._reserved.get(hex) ?? 0) - 1
          if (n > 0) this._reserved.set(hex, n)
          else this._reserved.delete(hex)
        }
      },
      have: (keys) => keys.filter((key) => this._byKey.has(b4a.toString(key, 'hex'))),
      addRemoteFeeds: (keys, from) => this._addRemoteFeeds(keys, from),
      feed: (key) => this._byKey.get(b4a.toString(key, 'hex')) as Hypercore<unknown> | undefined,
      report: (err, peer) => this.emit('extension-error', err, peer),
      onhandshake: (userData, peer) => this.emit('handshake', userData, peer),
      onremotefeeds: () => {
        this.emit('remote-feeds')
      },
      onclose: (session) => {
        this._sessions.delete(session)
      },
    }
  }
}

function noop(): void {}
