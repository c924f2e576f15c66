// `SDK`: the facade `createSDK()` returns. It stays one file past ~400 lines as the one place
// that holds the SDK's state: each method checks it and hands the work to the module that does it
// (open-parts, open-shared, seeds, network, autojoin, stats).
import ReadyResource from 'ready-resource'
import type { GossipOptions } from '@dat-sdk/gossip'
import type { MultifeedOptions } from '@dat-sdk/multifeed'
import {
  Networker,
  dhtSettings,
  parseBootstrap,
  withTopicHandles,
  type BootstrapNode,
} from '@dat-sdk/networker'
import { Seeder, type Seed, type SeedKind, type SeedRecord } from '@dat-sdk/seeding'
import {
  DatSdkError,
  Store,
  closedError,
  hasShape,
  parseRef,
  sharedListener,
  toKey,
  type Hypercore,
  type KeyLike,
} from '@dat-sdk/store'
import type { ExtensionHost, JoinOptions, NetworkerLike, Topic } from '@dat-sdk/interfaces'
import { AutoJoin } from './autojoin.js'
import type { AutobaseFactory, SDKBaseOptions } from './base.js'
import type { SDKBeeOptions } from './bee.js'
import { ClosingOrder, type Closable } from './closing.js'
import type { Caches, OpenContext, Part } from './context.js'
import { NameResolver } from './dns.js'
import { peerCall, resumeAll, suspendAll, topicKey } from './network.js'
import { openBee, openCore, openDrive } from './open-parts.js'
import { openBase, openGossip, openMultifeed, openStore } from './open-shared.js'
import {
  envBootstrap,
  type CorestoreFactory,
  type GossipFactory,
  type HyperbeeFactory,
  type HypercoreFactory,
  type HyperdriveFactory,
  type MultifeedFactory,
  type SDKCoreOptions,
  type SDKDriveOptions,
  type SDKOptions,
  type SDKRef,
  type SDKSeedOptions,
} from './options.js'
import { RefCache, keyRef, type Cacheable } from './refs.js'
import { isMetered, sumStats, type Metered, type SDKStats } from './stats.js'
import type { SeedablePart } from './seeding.js'
import { Seeds } from './seeds.js'

export type {
  SDKOptions,
  SDKSeedOptions,
  SDKRef,
  SDKCoreOptions,
  SDKDriveOptions,
  HypercoreFactory,
  HyperdriveFactory,
  HyperbeeFactory,
  CorestoreFactory,
  GossipFactory,
  MultifeedFactory,
} from './options.js'

/**
 * The Dat SDK: storage and networking set up once, and shortcuts that open cores, drives,
 * stores, gossip sets and multifeeds on them. Make one with `await createSDK(opts)`.
 */
export class SDK extends ReadyResource {
  /** The SDK's own store: every core, drive and multifeed it opens lives here. */
  readonly store: Store
  /** The SDK's networking layer (set once `ready()` resolves). */
  networker!: NetworkerLike
  /** Whether parts join the swarm when they open. */
  readonly autoJoin: boolean

  /** `Hypercore(ref?, opts?)`, with or without `new`: a `Core`. */
  readonly Hypercore: HypercoreFactory
  /** `Hyperdrive(ref?, opts?)`, with or without `new`: a `Drive`; a folder ref keeps the folder in sync. */
  readonly Hyperdrive: HyperdriveFactory
  /** `Hyperbee(ref?, opts?)`, with or without `new`: a `Bee` (named bees live apart from cores and drives). */
  readonly Hyperbee: HyperbeeFactory
  /** `Corestore(name?)`: a namespace of the SDK's store (the same name, the same namespace, across restarts). */
  readonly Corestore: CorestoreFactory
  /** `Gossip(host?, opts?)`: a gossip set on a core, a drive or (by default) the networker. */
  readonly Gossip: GossipFactory
  /** `Multifeed(name | store, opts?)`: a multifeed on a namespace of the SDK's store, joined to the network. */
  readonly Multifeed: MultifeedFactory
  /** `Autobase(ref?, opts?)`: a `Base` by name, key, URL or invite, announced and replicated. */
  readonly Autobase: AutobaseFactory
  /** Resolves `hyper://domain` (or `dat://domain`) to a key through DNS TXT records. */
  readonly resolveName: (url: string) => Promise<Uint8Array>

  private readonly _opts: SDKOptions
  private readonly _resolver: NameResolver
  // One cache per kind: cores, drives, bees, stores, multifeeds and bases live apart.
  private readonly _caches: Caches = {
    cores: new RefCache(),
    drives: new RefCache(),
    bees: new RefCache(),
    stores: new RefCache(),
    multifeeds: new RefCache(),
    bases: new RefCache(),
  }
  /** What the caller opened through the shortcuts (what `flush()` waits for). */
  private readonly _parts = new Set<Part>()
  /** Everything the SDK closes, each after what depends on it. */
  private readonly _order = new ClosingOrder()
  /** What the per-kind openers (open-parts.ts, open-shared.ts) use of this SDK. */
  private _ctx!: OpenContext
  /** The seeds, their records, and the blind peers they are kept by (set up by `_open()`). */
  private _seeder!: Seeder
  /** `seed()` and `unseed()`, and seeds brought back after a restart (set up by `_open()`). */
  private _seeds!: Seeds
  /** The blind peers of `opts.blindPeers`, checked in the constructor (`INVALID_KEY`). */
  private readonly _blindPeers: Uint8Array[]

  constructor(opts: SDKOptions = {}) {
    super()
    this._opts = { ...opts }
    const bootstrap = opts.bootstrap ?? envBootstrap()
    if (bootstrap !== undefined) this._opts.bootstrap = parseBootstrap(bootstrap)
    if (opts.storage !== undefined && opts.storage !== false && typeof opts.storage !== 'string') {
      throw new TypeError('opts.storage is a directory path or false')
    }
    // Checked before anything opens: a malformed blind-peer key is INVALID_KEY at once.
    this._blindPeers = (opts.blindPeers ?? []).map((k) => toKey(k))
    this.store = this._order.add(opts.storage === false ? Store.temp() : new Store(opts.storage))
    this.autoJoin = opts.autoJoin !== false
    this._resolver = new NameResolver(opts.dns)

    // Own, bound properties so that `const { Hypercore, close } = sdk` works.
    const sdk = this
    this.Hypercore = function Hypercore<T>(ref?: SDKRef, o?: SDKCoreOptions) {
      return openCore<T>(sdk._context(), ref, o)
    } as HypercoreFactory
    this.Hyperdrive = function Hyperdrive(ref?: SDKRef, o?: SDKDriveOptions) {
      return openDrive(sdk._context(), ref, o)
    } as HyperdriveFactory
    this.Hyperbee = function Hyperbee<K, V>(ref?: SDKRef, o?: SDKBeeOptions<K, V>) {
      return openBee<K, V>(sdk._context(), ref, o)
    } as HyperbeeFactory
    this.Corestore = function Corestore(name?: string | null) {
      return openStore(sdk._context(), name)
    } as CorestoreFactory
    this.Gossip = function Gossip<P extends object>(host?: ExtensionHost<P>, o?: GossipOptions<P>) {
      return openGossip<P>(sdk._context(), host, o)
    } as GossipFactory
    this.Multifeed = function Multifeed<T>(ref: string | Store, o?: MultifeedOptions) {
      return openMultifeed<T>(sdk._context(), ref, o)
    } as MultifeedFactory
    this.Autobase = function Autobase<K, T, V>(ref?: KeyLike | null, o?: SDKBaseOptions<K, T, V>) {
      return openBase<K, T, V>(sdk._context(), ref, o)
    } as AutobaseFactory
    this.resolveName = (url: string) => {
      if (this.closing) return Promise.reject(closedError('SDK'))
      return this._resolver.resolve(url)
    }
    this.ready = this.ready.bind(this)
    this.close = this.close.bind(this)
    this.flush = this.flush.bind(this)
    this.join = this.join.bind(this)
    this.joinPeer = this.joinPeer.bind(this)
    this.leavePeer = this.leavePeer.bind(this)
    this.suspend = this.suspend.bind(this)
    this.resume = this.resume.bind(this)
    this.seed = this.seed.bind(this)
    this.unseed = this.unseed.bind(this)
    this.seeds = this.seeds.bind(this)
    this.stats = this.stats.bind(this)
    this.parts = this.parts.bind(this)
  }

  /**
   * The SDK's Noise public key: what peers see as `remotePublicKey`, and what `joinPeer()` and a
   * blind peer's `--trusted` list name. Derived from the store, so the same on every run on the
   * same storage (unless `keyPair`, `swarm` or `networker` was given). Null before `ready()`.
   */
  get publicKey(): Uint8Array | null {
    if (!this.opened) return null
    const key = (this.networker as { publicKey?: unknown }).publicKey
    return key instanceof Uint8Array ? key : null
  }

  /**
   * The Noise key blind peers see this SDK's seeds come from: what a blind peer's `--trusted`
   * list names, so that it announces them. Derived from the store like `publicKey`, and apart
   * from it: a blind peer keeps one connection per remote key, and the SDK keeps a swarm
   * connection to each blind peer beside the one seeds are handed over on. Null before `ready()`.
   */
  get seedingKey(): Uint8Array | null {
    return this.opened ? this._seeder.publicKey : null
  }

  protected override async _open(): Promise<void> {
    await this.store.ready()
    const o = this._opts
    if (o.networker) {
      this.networker = o.networker(this.store)
    } else {
      const bootstrap = o.bootstrap as BootstrapNode[] | undefined
      // A stable identity: derived from the store as hyper-sdk does, unless given or a swarm's.
      const keyPair =
        o.keyPair ?? (o.swarm ? null : await this.store.corestore.createKeyPair('noise'))
      this.networker = new Networker(this.store, {
        ...(o.swarm ? { swarm: o.swarm } : {}),
        ...(bootstrap ? { bootstrap } : {}),
        ...(keyPair && keyPair.secretKey
          ? { keyPair: { publicKey: keyPair.publicKey, secretKey: keyPair.secretKey } }
          : {}),
        ...dhtSettings(bootstrap, o.host, o.firewalled),
      })
    }
    // The networker replicates the store: it closes before it.
    this._order.add(this.networker, [this.store])
    const net = withTopicHandles(this.networker)
    this._ctx = {
      store: this.store,
      networker: this.networker,
      net,
      autoJoin: this.autoJoin,
      joins: new AutoJoin(net, () => this.closing !== null),
      caches: this._caches,
      order: this._order,
      pairing: undefined,
      track: (part, dependsOn, cache, refs) => this._track(part, dependsOn, cache, refs),
      partOpened: (part, cache, core) => this._partOpened(part, cache, core),
      resolveDomain: (domain) => this._resolveDomain(domain),
    }
    // Seeds close before the networker they announce on and the store they read.
    this._seeder = this._order.add(
      new Seeder(this.store, {
        dht: dhtOf(this.networker),
        keyPair: toSecretKeyPair(await this.store.corestore.createKeyPair('blind-peering')),
        blindPeers: this._blindPeers,
      }),
      [this.networker, this.store],
    )
    await this._seeder.ready()
    this._seeds = new Seeds({
      store: this.store,
      seeder: this._seeder,
      announce: (discoveryKey) =>
        this._ctx.net.join(discoveryKey, { announce: true, lookup: true }),
      closing: () => this.closing !== null,
      open: (kind, ref, encryptionKey) => this._openForSeed(kind, ref, encryptionKey),
      resolve: (domain) => this.resolveName(`hyper://${domain}`),
      onerror: (err, key) => this.emit('seed-error', err, key),
    })
    // A blind peer announces only its trusted clients' cores: keep a connection to each.
    if (typeof this.networker.joinPeer === 'function') {
      for (const key of this._blindPeers) await this.networker.joinPeer(key)
    }
    // What was seeded before is seeded again; each seed opens in the background.
    for (const record of await this._seeder.stored()) this._seeds.restore(record)
  }

  protected override async _close(): Promise<void> {
    // Gossip sets and multifeeds before the networker they talk over, the networker before the
    // store it replicates, every core, drive and namespace before the store: as each declared.
    await this._order.closeAll()
    this._parts.clear()
  }

  private _check(): void {
    if (this.closing) throw closedError('SDK')
    if (!this.opened) throw new TypeError('The SDK is not open yet: use `await createSDK()`')
  }

  /** The openers' view of this SDK, once it is open and not closing. */
  private _context(): OpenContext {
    this._check()
    return this._ctx
  }

  /**
   * Resolves once `part` (a core, drive or multifeed of this SDK), or every part opened so far,
   * has opened and its discovery key has been announced and looked up on the network. A writer
   * awaits this before telling others its URL when they must find it at once: a lookup made
   * before the announce went round finds nobody until the swarm looks again.
   * Rejects with `CLOSED` once closed.
   */
  async flush(part?: { ready(): Promise<unknown> }): Promise<void> {
    if (this.closing) throw closedError('SDK')
    await this._ctx.joins.flush(part ? [part] : [...this._parts])
  }

  // --- the network: app-level topics, known peers, background -----------------------------------

  /**
   * Joins an app-level topic (announce and look up, both default true) and gives its handle; the
   * topic is left when the last handle is destroyed. A string is hashed to 32 bytes the same way
   * on every peer (see `topicKey` in the README: the same as hyper-sdk's `makeTopicKey`).
   */
  join(topic: string | Uint8Array, opts?: JoinOptions): Topic {
    this._check()
    return this._ctx.net.join(topicKey(topic), opts)
  }

  /** Keeps a connection to the peer with this Noise public key, with no topic (`NOT_SUPPORTED` on a custom networker without it). */
  async joinPeer(publicKey: KeyLike): Promise<void> {
    this._check()
    await peerCall(this.networker, 'joinPeer', publicKey)
  }

  /** Stops keeping that connection (an open one is not cut). Rejects with `CLOSED` once closed. */
  async leavePeer(publicKey: KeyLike): Promise<void> {
    this._check()
    await peerCall(this.networker, 'leavePeer', publicKey)
  }

  /**
   * An app going to the background: every connection closed, lookups paused, storage flushed and
   * its files let go. Parts stay open; calls that need storage or peers wait for `resume()`.
   * Rejects with `CLOSED` once closed.
   */
  async suspend(): Promise<void> {
    this._check()
    await suspendAll(this.networker, this.store)
  }

  /**
   * Brings storage and the network back: cores opened before `suspend()` replicate again.
   * Rejects with `CLOSED` once closed.
   */
  async resume(): Promise<void> {
    this._check()
    await resumeAll(this.networker, this.store)
  }

  // --- seeding: data that outlives its author ------------------------------------------------

  /**
   * Seeds a part: keeps a full local copy (every core of it), downloads what arrives later,
   * announces it, asks the blind peers to keep every core of it, and records it so that
   * `createSDK()` on the same storage seeds it again. `ref` is an open part, or a key or URL with
   * `opts.kind` (without it, the ref's first block tells what it is, which needs a peer).
   * Rejects with `INVALID_KEY` (a malformed ref or blind-peer key), `PEER_TIMEOUT` (no peer sent
   * the first block), `DECRYPTION_FAILED` (the key does not open it), `CLOSED`.
   */
  async seed(ref: SDKRef | SeedablePart, opts: SDKSeedOptions = {}): Promise<Seed> {
    this._check()
    return this._seeds.seed(ref, opts)
  }

  /**
   * Stops seeding `ref` (an open part, a key or URL) and forgets its record; false when it was not seeded.
   * Rejects with `INVALID_KEY` on a malformed key, `CLOSED` once closed.
   */
  async unseed(ref: SDKRef | SeedablePart): Promise<boolean> {
    this._check()
    return this._seeds.unseed(ref)
  }

  /**
   * What every open part (core, drive, bee, base) has and has moved, summed: blocks, payload
   * bytes (not wire bytes) each way, speeds, the open connections (each counted once) and what
   * moved over each.
   */
  stats(): SDKStats {
    this._check()
    const parts = new Set<Metered>()
    for (const part of this._parts) if (isMetered(part)) parts.add(part)
    return sumStats(parts, this.networker.peers)
  }

  /**
   * Every part open now through this SDK (cores, drives, bees, bases, gossip sets, multifeeds),
   * for tools that report on them, such as the CLI's metrics.
   */
  parts(): object[] {
    this._check()
    return [...this._parts]
  }

  /**
   * Every seed running now (a restarted SDK's come back as they open).
   * Throws `CLOSED` once closed.
   */
  seeds(): Seed[] {
    this._check()
    return this._seeder.list()
  }

  /**
   * The records of what this storage seeds (what a restart seeds again), running or not.
   * Rejects with `CLOSED` once closed.
   */
  async seedRecords(): Promise<SeedRecord[]> {
    this._check()
    return this._seeder.stored()
  }

  /** A part to seed, opened through its kind's shortcut (so the ref cache knows it). */
  private _openForSeed(
    kind: SeedKind,
    ref: string | Uint8Array,
    encryptionKey: Uint8Array | null,
  ): SeedablePart {
    const opts = encryptionKey ? { encryptionKey } : {}
    if (kind === 'drive') return this.Hyperdrive(ref, opts)
    if (kind === 'bee') return this.Hyperbee(ref, opts)
    if (kind === 'autobase') return this.Autobase(ref, opts)
    return this.Hypercore(ref, opts)
  }

  // --- bookkeeping ------------------------------------------------------------------------------

  /**
   * Tracks a part the caller opened: closed by `close()` after what depends on it and before
   * what it depends on (`dependsOn`), and filed in `cache` under `refs`.
   */
  private _track<P extends Part>(
    part: P,
    dependsOn: ReadonlyArray<Closable | null | undefined>,
    cache: RefCache<P> | RefCache<Cacheable> | null = null,
    refs: readonly string[] = [],
  ): P {
    this._parts.add(part)
    this._order.add(part, dependsOn)
    cache?.add(part, refs)
    part.on('close', this._onPartClose)
    return part
  }

  /**
   * The one `'close'` listener of every tracked part, for all its bookkeeping (a part closes
   * once). The emitter calls it on the part itself, so a seeder's thousand parts share it: they
   * held three each, then one closure and its context each.
   */
  private readonly _onPartClose = sharedListener(this, SDK._partClosed)

  private static _partClosed(sdk: SDK, part: Part): void {
    sdk._untrack(part)
  }

  /** Forgets a part that closed: it leaves the SDK's parts, its ref cache and its topics. */
  private _untrack(part: Part): void {
    this._parts.delete(part)
    this._order.delete(part)
    // The cache it was filed in, if any: forgetting a part another cache never held is a no-op.
    for (const cache of Object.values(this._caches)) cache.forget(part)
    this._ctx.joins.release(part)
  }

  /** The key URL a domain ref resolves to, as a promise the part opens on (errors come from its `ready()`). */
  private _resolveDomain(domain: string): Promise<Uint8Array> {
    const key = this._resolver.resolve(`hyper://${domain}`)
    key.catch(noop) // reported by the part's ready()
    return key
  }

  /** Once a part has opened: filed under its key too, and joined to the network. */
  private async _partOpened<P extends Part & { key: Uint8Array | null }>(
    part: P,
    cache: RefCache<P> | RefCache<Cacheable>,
    core: Hypercore<unknown>,
  ): Promise<void> {
    // Filed under its key too (a part opened with no ref is found by its key from now on).
    if (part.key) cache.alias(part, keyRef(part.key))
    if (this.autoJoin) await this._ctx.joins.core(part, core)
  }
}

/** Sets up storage and networking and resolves with a ready SDK; rejects (`STORAGE_LOCKED`...) otherwise. */
export async function createSDK(opts: SDKOptions = {}): Promise<SDK> {
  const sdk = new SDK(opts)
  try {
    await sdk.ready()
  } catch (err) {
    await sdk.close().catch(noop)
    throw err
  }
  return sdk
}

/** The DHT of the networker's Hyperswarm, which blind peers are reached through (null for another transport). */
function dhtOf(networker: NetworkerLike): SeedDHT | null {
  const swarm = (networker as { swarm?: unknown }).swarm
  if (!swarm || typeof swarm !== 'object') return null
  const dht = (swarm as { dht?: unknown }).dht
  return hasShape<SeedDHT>(dht, ['connect', 'on', 'off']) ? dht : null
}

/** A key pair with its secret key (Corestore's `createKeyPair()` always has one). */
function toSecretKeyPair(kp: { publicKey: Uint8Array; secretKey: Uint8Array | null }) {
  if (!kp.secretKey) throw new TypeError('A key pair without its secret key cannot dial')
  return { publicKey: kp.publicKey, secretKey: kp.secretKey }
}

type SeedDHT = NonNullable<ConstructorParameters<typeof Seeder>[1]>['dht'] & object

function noop(): void {}
