import crypto from 'crypto'
import b4a from 'b4a'
import HyperdriveClass from 'hyperdrive'
import ReadyResource from 'ready-resource'
import type { CoreOptions } from '@dat-sdk/core-wrapper'
import type { BeeOptions } from '@dat-sdk/bee-wrapper'
import { Gossip, type GossipOptions } from '@dat-sdk/gossip'
import { Multifeed, type MultifeedOptions } from '@dat-sdk/multifeed'
import {
  Networker,
  dhtSettings,
  parseBootstrap,
  withTopicHandles,
  type BootstrapNode,
  type Joinable,
} from '@dat-sdk/networker'
import {
  DatSdkError,
  Store,
  closedError,
  layout,
  parseRef,
  type Hypercore,
  type KeyLike,
} from '@dat-sdk/store'
import type { Base, Pairing } from '@dat-sdk/autobase'
import type {
  ExtensionHost,
  JoinOptions,
  NetworkPeerLike,
  NetworkerLike,
  Topic,
} from '@dat-sdk/interfaces'
import { AutoJoin } from './autojoin.js'
import {
  baseRefs,
  openBase,
  pairingFor,
  type AutobaseFactory,
  type SDKBaseOptions,
} from './base.js'
import { SDKBee, type SDKBeeOptions } from './bee.js'
import { ClosingOrder, type Closable } from './closing.js'
import { NameResolver } from './dns.js'
import { peerCall, resumeAll, suspendAll, topicKey } from './network.js'
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
} from './options.js'
import { SDKCore, SDKDrive, lazyKeyCorestore } from './parts.js'
import { RefCache, keyRef, refsOf, type Cacheable } from './refs.js'

export type {
  SDKOptions,
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

/** What the SDK opens for a caller: it opens, closes, and says when it is closing. */
type Part = Cacheable & Closable & { ready(): Promise<unknown> }

/**
 * The Dat SDK: storage and networking set up once, and shortcuts that open cores, drives,
 * stores, gossip sets and multifeeds on them. Make one with `await createSDK(opts)`.
 */
export class SDK extends ReadyResource {
  /** The SDK's own store: every core, drive and multifeed it opens lives here. */
  readonly store: Store
  /** The SDK's networking layer (set once `ready()` resolves). */
  networker!: NetworkerLike
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
  private readonly _cores = new RefCache<Cacheable>()
  private readonly _drives = new RefCache<SDKDrive>()
  private readonly _bees = new RefCache<Cacheable>()
  private readonly _stores = new RefCache<Store>()
  private readonly _multifeeds = new RefCache<Cacheable>()
  private readonly _bases = new RefCache<Cacheable>()
  /** What the caller opened through the shortcuts (what `flush()` waits for). */
  private readonly _parts = new Set<Part>()
  /** Everything the SDK closes, each after what depends on it. */
  private readonly _order = new ClosingOrder()
  private _pairing: Pairing | null | undefined = undefined
  /** The networker, with topic handles counted over its `configure()` if it has no `join()`. */
  private _net!: Joinable<NetworkerLike>
  private _joins!: AutoJoin

  constructor(opts: SDKOptions = {}) {
    super()
    this._opts = { ...opts }
    const bootstrap = opts.bootstrap ?? envBootstrap()
    if (bootstrap !== undefined) this._opts.bootstrap = parseBootstrap(bootstrap)
    if (opts.storage !== undefined && opts.storage !== false && typeof opts.storage !== 'string') {
      throw new TypeError('opts.storage is a directory path or false')
    }
    this.store = this._order.add(opts.storage === false ? Store.temp() : new Store(opts.storage))
    this.autoJoin = opts.autoJoin !== false
    this._resolver = new NameResolver(opts.dns)

    // Own, bound properties so that `const { Hypercore, close } = sdk` works.
    const sdk = this
    this.Hypercore = function Hypercore<T>(ref?: SDKRef, o?: SDKCoreOptions) {
      return sdk._openCore<T>(ref, o)
    } as HypercoreFactory
    this.Hyperdrive = function Hyperdrive(ref?: SDKRef, o?: SDKDriveOptions) {
      return sdk._openDrive(ref, o)
    } as HyperdriveFactory
    this.Hyperbee = function Hyperbee<K, V>(ref?: SDKRef, o?: SDKBeeOptions<K, V>) {
      return sdk._openBee<K, V>(ref, o)
    } as HyperbeeFactory
    this.Corestore = function Corestore(name?: string | null) {
      return sdk._openStore(name)
    } as CorestoreFactory
    this.Gossip = function Gossip<P extends object>(host?: ExtensionHost<P>, o?: GossipOptions<P>) {
      return sdk._openGossip<P>(host, o)
    } as GossipFactory
    this.Multifeed = function Multifeed<T>(ref: string | Store, o?: MultifeedOptions) {
      return sdk._openMultifeed<T>(ref, o)
    } as MultifeedFactory
    this.Autobase = function Autobase<K, T, V>(ref?: KeyLike | null, o?: SDKBaseOptions<K, T, V>) {
      return sdk._openBase<K, T, V>(ref, o)
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
  }

  protected override async _open(): Promise<void> {
    await this.store.ready()
    const o = this._opts
    if (o.networker) {
      this.networker = o.networker(this.store)
    } else {
      const bootstrap = o.bootstrap as BootstrapNode[] | undefined
      this.networker = new Networker(this.store, {
        ...(o.swarm ? { swarm: o.swarm } : {}),
        ...(bootstrap ? { bootstrap } : {}),
        ...(o.keyPair ? { keyPair: o.keyPair } : {}),
        ...dhtSettings(bootstrap, o.host, o.firewalled),
      })
    }
    // The networker replicates the store: it closes before it.
    this._order.add(this.networker, [this.store])
    this._net = withTopicHandles(this.networker)
    this._joins = new AutoJoin(this._net, () => this.closing !== null)
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

  /**
   * Resolves once `part` (a core, drive or multifeed of this SDK), or every part opened so far,
   * has opened and its discovery key has been announced and looked up on the network. A writer
   * awaits this before telling others its URL when they must find it at once: a lookup made
   * before the announce went round finds nobody until the swarm looks again.
   */
  async flush(part?: { ready(): Promise<unknown> }): Promise<void> {
    if (this.closing) throw closedError('SDK')
    await this._joins.flush(part ? [part] : [...this._parts])
  }

  // --- the network: app-level topics, known peers, background -----------------------------------

  /**
   * Joins an app-level topic (announce and look up, both default true) and gives its handle; the
   * topic is left when the last handle is destroyed. A string is hashed to 32 bytes the same way
   * on every peer (see `topicKey` in the README: the same as hyper-sdk's `makeTopicKey`).
   */
  join(topic: string | Uint8Array, opts?: JoinOptions): Topic {
    this._check()
    return this._net.join(topicKey(topic), opts)
  }

  /** Keeps a connection to the peer with this Noise public key, with no topic (`NOT_SUPPORTED` on a custom networker without it). */
  async joinPeer(publicKey: KeyLike): Promise<void> {
    this._check()
    await peerCall(this.networker, 'joinPeer', publicKey)
  }

  /** Stops keeping that connection (an open one is not cut). */
  async leavePeer(publicKey: KeyLike): Promise<void> {
    this._check()
    await peerCall(this.networker, 'leavePeer', publicKey)
  }

  /**
   * An app going to the background: every connection closed, lookups paused, storage flushed and
   * its files let go. Parts stay open; calls that need storage or peers wait for `resume()`.
   */
  async suspend(): Promise<void> {
    this._check()
    await suspendAll(this.networker, this.store)
  }

  /** Brings storage and the network back: cores opened before `suspend()` replicate again. */
  async resume(): Promise<void> {
    this._check()
    await resumeAll(this.networker, this.store)
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
    part.once('close', () => {
      this._parts.delete(part)
      this._order.delete(part)
    })
    return part
  }

  /** The key URL a domain ref resolves to, as a promise the part opens on (errors come from its `ready()`). */
  private _resolveDomain(domain: string): Promise<Uint8Array> {
    const key = this._resolver.resolve(`hyper://${domain}`)
    key.catch(noop) // reported by the part's ready()
    return key
  }

  // --- Autobase (the rest lives in base.ts) ----------------------------------------------------

  private _openBase<K, T, V>(
    ref?: KeyLike | null,
    opts: SDKBaseOptions<K, T, V> = {},
  ): Base<K, T, V> {
    this._check()
    const { refs } = baseRefs(ref)
    // Each kind has its own cache, so what it holds is a Base (of the caller's types).
    const cached = this._bases.get(refs) as Base<K, T, V> | null
    if (cached) return cached
    if (this._pairing === undefined) {
      this._pairing = pairingFor(this.networker)
      if (this._pairing) this._order.add(this._pairing, [this.networker])
    }
    const base = openBase<K, T, V>(this.store, ref, opts, this._pairing)
    this._track(base, [this.store, this._pairing, this.networker], this._bases, refs)
    base.ready().then(() => {
      if (base.key) this._bases.alias(base, keyRef(base.key))
      if (!this.autoJoin || !base.discoveryKey || base.closing) return
      this._joins.join(base, base.discoveryKey, true)
    }, noop)
    return base
  }

  // --- Hypercore --------------------------------------------------------------------------------

  private _openCore<T>(ref?: SDKRef, opts: SDKCoreOptions = {}): SDKCore<T> {
    this._check()
    const { extensions, handshakeTimeout, ...hypercoreOpts } = opts
    const coreOpts: CoreOptions = {}
    if (extensions) coreOpts.extensions = extensions
    if (handshakeTimeout !== undefined) coreOpts.handshakeTimeout = handshakeTimeout
    const parsed = parseRef(ref)
    const hook = (core: SDKCore<T>) => this._partOpened(core, this._cores, core.hypercore)

    if (parsed === null) {
      const core = new SDKCore<T>(this.store.get<T>(null, hypercoreOpts), coreOpts, hook)
      return this._track(core, [this.store])
    }
    if ('folder' in parsed) {
      throw new DatSdkError(
        'INVALID_KEY',
        `${parsed.folder} is a folder: open it with Hyperdrive()`,
      )
    }
    const refs = refsOf(parsed)
    const derived = 'name' in parsed ? this.store.keyFor(parsed.name) : null
    if (derived) refs.unshift(keyRef(derived))
    // Each kind has its own cache, so what it holds is a core (of whatever value type the caller asks).
    const cached = this._cores.get(refs) as SDKCore<T> | null
    if (cached) return cached
    const getRef =
      'domain' in parsed
        ? { key: this._resolveDomain(parsed.domain) }
        : 'name' in parsed
          ? { name: parsed.name }
          : { key: parsed.key }
    const core = new SDKCore<T>(this.store.get<T>(getRef, hypercoreOpts), coreOpts, hook)
    return this._track(core, [this.store], this._cores, refs)
  }

  /** Once a part has opened: filed under its key too, and joined to the network. */
  private async _partOpened<P extends Part & { key: Uint8Array | null }>(
    part: P,
    cache: RefCache<P> | RefCache<Cacheable>,
    core: Hypercore<unknown>,
  ): Promise<void> {
    if (part.key) {
      cache.add(part, []) // a part opened with no ref is cached by its key from now on
      cache.alias(part, keyRef(part.key))
    }
    if (this.autoJoin) await this._joins.core(part, core)
  }

  // --- Hyperdrive -------------------------------------------------------------------------------

  private _openDrive(ref?: SDKRef, opts: SDKDriveOptions = {}): SDKDrive {
    this._check()
    const { sync, ...driveOpts } = opts
    const parsed = parseRef(ref)
    const hook = (drive: SDKDrive) =>
      this._partOpened(drive, this._drives, drive.hyperdrive.core as Hypercore<unknown>)

    if (parsed === null) {
      return this._track(new SDKDrive(this.store, null, driveOpts, hook), [this.store])
    }
    const refs = refsOf(parsed)
    const cached = this._drives.get(refs)
    if (cached) return cached
    if ('domain' in parsed) {
      // Drive has no way to open on a key that is still resolving: its db core is opened on a
      // session whose first keyless get() waits for the key (Corestore's preload).
      const session = this.store.corestore.session()
      const hyperdrive = new HyperdriveClass(
        lazyKeyCorestore(session, this._resolveDomain(parsed.domain)),
        null,
        { encryptionKey: driveOpts.encryptionKey ?? null },
      )
      const drive = new SDKDrive({ hyperdrive, session }, null, driveOpts, hook)
      return this._track(drive, [this.store], this._drives, refs)
    }
    const drive = new SDKDrive(this.store, ref ?? null, driveOpts, hook)
    this._track(drive, [this.store], this._drives, refs)
    if ('folder' in parsed && sync !== false) {
      drive.folderSync = drive.syncFolder(parsed.folder, sync)
    }
    return drive
  }

  // --- Hyperbee ---------------------------------------------------------------------------------

  private _openBee<K, V>(ref?: SDKRef, opts: BeeOptions<K, V> = {}): SDKBee<K, V> {
    this._check()
    const parsed = parseRef(ref)
    const hook = (bee: SDKBee<K, V>) => this._partOpened(bee, this._bees, bee.hyperbee.core)

    if (parsed === null) {
      return this._track(new SDKBee(this.store, null, opts, hook), [this.store])
    }
    if ('folder' in parsed) {
      throw new DatSdkError('INVALID_KEY', `${parsed.folder} is a folder: a bee has no folder`)
    }
    const refs = refsOf(parsed)
    // Each kind has its own cache, so what it holds is a bee (of the caller's encodings).
    const cached = this._bees.get(refs) as SDKBee<K, V> | null
    if (cached) return cached
    const bee =
      'domain' in parsed
        ? new SDKBee<K, V>(
            this.store.get({ key: this._resolveDomain(parsed.domain) }),
            null,
            opts,
            hook,
          )
        : new SDKBee<K, V>(this.store, ref ?? null, opts, hook)
    return this._track(bee, [this.store], this._bees, refs)
  }

  // --- Corestore, Gossip, Multifeed -------------------------------------------------------------

  private _openStore(name?: string | null): Store {
    this._check()
    if (name !== undefined && name !== null && (typeof name !== 'string' || name === '')) {
      throw new TypeError('Corestore() takes a non-empty name, or nothing for a fresh namespace')
    }
    const label = name ?? b4a.toString(crypto.randomBytes(16), 'hex')
    const cached = this._stores.get([label])
    if (cached) return cached
    const store = this.store.namespace(layout.corestore(label))
    return this._track(store, [this.store], this._stores, [label])
  }

  private _openGossip<P extends object>(
    host: ExtensionHost<P> | null | undefined,
    opts?: GossipOptions<P>,
  ): Gossip<P> | Gossip<NetworkPeerLike> {
    this._check()
    if (host) {
      // On a part of this SDK, the gossip set closes before it (a host of the caller's stays theirs).
      const dependsOn = isClosable(host) ? [host] : []
      return this._track(new Gossip<P>(host, opts), dependsOn)
    }
    // Without a host, the options speak of the networker's peers (the factory types it so).
    const gossip = new Gossip<NetworkPeerLike>(
      this.networker,
      opts as GossipOptions<NetworkPeerLike>,
    )
    return this._track(gossip, [this.networker])
  }

  private _openMultifeed<T>(ref: string | Store, opts: MultifeedOptions = {}): Multifeed<T> {
    this._check()
    let storage: Store
    let refs: string[] = []
    if (typeof ref === 'string') {
      if (ref === '') throw new TypeError('A multifeed name cannot be empty')
      refs = [ref]
      // Each kind has its own cache, so what it holds is a multifeed (of the caller's value type).
      const cached = this._multifeeds.get(refs) as Multifeed<T> | null
      if (cached) return cached
      storage = this._track(this.store.namespace(layout.multifeed(ref)), [this.store])
    } else if (ref instanceof Store) {
      storage = ref
    } else {
      throw new TypeError('Multifeed() takes a name or a Store')
    }
    const multifeed = new Multifeed<T>(storage, opts)
    this._track(multifeed, [storage, this.networker], this._multifeeds, refs)
    if (typeof ref === 'string') multifeed.once('close', () => void storage.close().catch(noop))
    if (this.autoJoin) this._joins.track(multifeed, multifeed.join(this._net))
    return multifeed
  }
}

function isClosable(value: object): value is Closable {
  return typeof (value as Partial<Closable>).close === 'function'
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

function noop(): void {}
