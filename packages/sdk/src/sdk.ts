import crypto from 'crypto'
import path from 'path'
import process from 'process'
import b4a from 'b4a'
import HyperdriveClass from 'hyperdrive'
import ReadyResource from 'ready-resource'
import { Core, type CoreOptions } from '@dat-sdk/core-wrapper'
import type { BeeOptions } from '@dat-sdk/bee-wrapper'
import { Drive, type DriveOptions, type SyncFolderOptions } from '@dat-sdk/drive-wrapper'
import { Gossip, type GossipOptions } from '@dat-sdk/gossip'
import { Multifeed, type MultifeedOptions } from '@dat-sdk/multifeed'
import {
  Networker,
  dhtSettings,
  parseBootstrap,
  withTopicHandles,
  type BootstrapNode,
  type Joinable,
  type SwarmLike,
} from '@dat-sdk/networker'
import {
  DatSdkError,
  Store,
  closedError,
  layout,
  parseRef,
  toHex,
  type Hypercore,
  type HypercoreOptions,
  type KeyLike,
} from '@dat-sdk/store'
import { Base, type Pairing } from '@dat-sdk/autobase'
import {
  baseRefs,
  openBase,
  pairingFor,
  type AutobaseFactory,
  type SDKBaseOptions,
} from './base.js'
import { NameResolver, type DnsOptions } from './dns.js'
import { SDKCore, SDKDrive, lazyKeyCorestore } from './parts.js'
import { SDKBee, type SDKBeeOptions } from './bee.js'
import type { ExtensionHost, NetworkPeerLike, NetworkerLike } from '@dat-sdk/interfaces'

export interface SDKOptions {
  /**
   * Where cores are stored: a directory (default: `$DAT_SDK_STORAGE`, else the OS data
   * directory), or `false` for a temporary directory removed on `close()`.
   */
  storage?: string | false
  /**
   * Makes the networking layer from the SDK's store; the SDK owns what it returns and closes it.
   * Default: a `Networker` on Hyperswarm.
   */
  networker?: (store: Store) => NetworkerLike
  /**
   * DHT bootstrap nodes, `{ host, port }` or `'host:port'`. Default: `$DAT_SDK_BOOTSTRAP`
   * (comma-separated `host:port`), else the public HyperDHT bootstrap nodes.
   */
  bootstrap?: Array<BootstrapNode | string>
  /** The address the DHT binds (127.0.0.1 when every bootstrap node is on loopback). */
  host?: string
  /** Whether the DHT node assumes it cannot be reached (false when every bootstrap node is on loopback). */
  firewalled?: boolean
  /** A Hyperswarm (or any `SwarmLike`) for the default networker; the SDK does not destroy it. */
  swarm?: SwarmLike
  /** DNS for `hyper://domain`: name servers, a cap on the cache time (seconds), a timeout (ms). */
  dns?: DnsOptions
  /** Join each core's and drive's discovery key on the network when it opens (default true). */
  autoJoin?: boolean
  /** The Noise key pair of the default networker: peers see its public key as `remotePublicKey`. */
  keyPair?: { publicKey: Uint8Array; secretKey: Uint8Array }
}

/** A ref the shortcuts take: a name, a key in any spelling, a hyper:// or dat:// URL, or null. */
export type SDKRef = KeyLike | null | undefined

/** `Hypercore(ref, opts)`: hypercore's options (`valueEncoding`, `sparse`...) plus `Core`'s. */
export type SDKCoreOptions = HypercoreOptions & CoreOptions

/** `Hyperdrive(ref, opts)`: `Drive`'s options, plus how a folder ref is kept in sync. */
export interface SDKDriveOptions extends DriveOptions {
  /**
   * For a folder ref: options of the folder sync (`live`, `prune`, `ignore`), or `false` to open
   * the drive named in `<folder>/.dat` without syncing (to check `writable` first, say).
   */
  sync?: SyncFolderOptions | false
}

export interface HypercoreFactory {
  <T = Uint8Array>(ref?: SDKRef, opts?: SDKCoreOptions): SDKCore<T>
  new <T = Uint8Array>(ref?: SDKRef, opts?: SDKCoreOptions): SDKCore<T>
}

export interface HyperdriveFactory {
  (ref?: SDKRef, opts?: SDKDriveOptions): SDKDrive
  new (ref?: SDKRef, opts?: SDKDriveOptions): SDKDrive
}

export interface HyperbeeFactory {
  <K = Uint8Array, V = Uint8Array>(ref?: SDKRef, opts?: SDKBeeOptions<K, V>): SDKBee<K, V>
  new <K = Uint8Array, V = Uint8Array>(ref?: SDKRef, opts?: SDKBeeOptions<K, V>): SDKBee<K, V>
}

export interface CorestoreFactory {
  (name?: string | null): Store
  new (name?: string | null): Store
}

/** `Gossip(host, opts)`; without a host, gossip runs across every connection of the networker. */
export interface GossipFactory {
  <P extends object>(host: ExtensionHost<P>, opts?: GossipOptions<P>): Gossip<P>
  (host?: null, opts?: GossipOptions<NetworkPeerLike>): Gossip<NetworkPeerLike>
  new <P extends object>(host: ExtensionHost<P>, opts?: GossipOptions<P>): Gossip<P>
  new (host?: null, opts?: GossipOptions<NetworkPeerLike>): Gossip<NetworkPeerLike>
}

export interface MultifeedFactory {
  <T = Uint8Array>(ref: string | Store, opts?: MultifeedOptions): Multifeed<T>
  new <T = Uint8Array>(ref: string | Store, opts?: MultifeedOptions): Multifeed<T>
}

interface Closable {
  ready(): Promise<unknown>
  close(): Promise<unknown>
  once(event: 'close', fn: () => void): unknown
}

/** How long a read-only part waits, after its lookup, for a connection to offer its core. */
const FIRST_PEER_WAIT = 3_000

/** `$DAT_SDK_BOOTSTRAP`: comma-separated `host:port` bootstrap nodes, the default of `bootstrap`. */
function envBootstrap(): string[] | undefined {
  const list = process.env.DAT_SDK_BOOTSTRAP?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return list && list.length > 0 ? list : undefined
}

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
  private readonly _cores = new Map<string, SDKCore<unknown>>()
  private readonly _drives = new Map<string, SDKDrive>()
  private readonly _bees = new Map<string, SDKBee<unknown, unknown>>()
  private readonly _stores = new Map<string, Store>()
  private readonly _multifeeds = new Map<string, Multifeed<unknown>>()
  private readonly _bases = new Map<string, Base<unknown, unknown, unknown>>()
  private _pairing: Pairing | null | undefined = undefined
  private readonly _refs = new Map<object, Set<string>>()
  private readonly _parts = new Set<Closable>()
  /** The networker, with topic handles counted over its `configure()` if it has no `join()`. */
  private _net!: Joinable<NetworkerLike>
  private readonly _flushes = new Map<object, Promise<unknown>>()

  constructor(opts: SDKOptions = {}) {
    super()
    this._opts = { ...opts }
    const bootstrap = opts.bootstrap ?? envBootstrap()
    if (bootstrap !== undefined) this._opts.bootstrap = parseBootstrap(bootstrap)
    if (opts.storage !== undefined && opts.storage !== false && typeof opts.storage !== 'string') {
      throw new TypeError('opts.storage is a directory path or false')
    }
    this.store = opts.storage === false ? Store.temp() : new Store(opts.storage)
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
    this._net = withTopicHandles(this.networker)
  }

  protected override async _close(): Promise<void> {
    const parts = [...this._parts]
    const kinds = (pred: (p: Closable) => boolean) => parts.filter(pred)
    // Gossip and multifeeds first (they talk over the rest), then the network, then the data.
    await Promise.allSettled(kinds((p) => p instanceof Gossip).map((p) => p.close()))
    await Promise.allSettled(kinds((p) => p instanceof Multifeed).map((p) => p.close()))
    await Promise.allSettled(kinds((p) => p instanceof Base).map((p) => p.close()))
    if (this._pairing) await this._pairing.close().catch(noop)
    if (this.networker) await this.networker.close().catch(noop)
    await Promise.allSettled(kinds((p) => p instanceof Drive).map((p) => p.close()))
    await Promise.allSettled(kinds((p) => p instanceof Core).map((p) => p.close()))
    await Promise.allSettled(kinds((p) => p instanceof Store).map((p) => p.close()))
    await Promise.allSettled([...this._parts].map((p) => p.close()))
    this._parts.clear()
    await this.store.close()
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
    const parts: Array<{ ready(): Promise<unknown> }> = part ? [part] : [...this._parts]
    await Promise.allSettled(parts.map((p) => p.ready()))
    await Promise.allSettled(parts.map((p) => this._flushes.get(p)))
  }

  // --- bookkeeping ------------------------------------------------------------------------------

  private _track<P extends Closable>(part: P, cache: Map<string, P> | null, refs: string[]): P {
    this._parts.add(part)
    const mine = new Set<string>()
    this._refs.set(part, mine)
    if (cache) for (const ref of refs) this._remember(cache, ref, part)
    part.once('close', () => {
      this._parts.delete(part)
      this._flushes.delete(part)
      if (cache) for (const ref of mine) if (cache.get(ref) === part) cache.delete(ref)
      this._refs.delete(part)
    })
    return part
  }

  /** Files `part` under `ref` unless another open part holds that ref already. */
  private _remember<P extends object>(cache: Map<string, P>, ref: string, part: P): void {
    if (cache.has(ref)) return
    cache.set(ref, part)
    this._refs.get(part)?.add(ref)
  }

  private _cached<P extends { closing: Promise<void> | null }>(
    cache: Map<string, P>,
    refs: string[],
  ): P | null {
    for (const ref of refs) {
      const part = cache.get(ref)
      if (part && !part.closing) return part
    }
    return null
  }

  /**
   * Joins a part's discovery key (announce when writable, lookup always). A read-only part that
   * has nothing yet waits for the first lookup, and for the peers it found to say what they have.
   */
  private async _autoJoin(
    part: Closable & { closing: Promise<void> | null },
    core: Hypercore<unknown>,
  ): Promise<void> {
    if (!this.autoJoin || this.closing || !core.discoveryKey) return
    const discoveryKey = core.discoveryKey
    const writable = core.writable
    const topic = this._net.join(discoveryKey, { announce: writable, lookup: true })
    part.once('close', () => {
      // Closing, the networker leaves every topic itself.
      if (!this.closing) topic.destroy().catch(noop)
    })
    // While this is held, hypercore's update() and get() wait for peers instead of giving up.
    const done = writable ? noop : core.findingPeers()
    const joined = topic
      .flushed()
      .catch(noop)
      .then(() => this._firstPeer(core))
      .then(async () => {
        // Ask the peers found what they have while still "finding peers", so update() waits for
        // their answer; with no peer it would wait for the finding to end, so skip it then.
        if (!writable && core.peers.length > 0 && !core.closing) await core.update().catch(noop)
      })
      .finally(done)
    this._flushes.set(part, joined)
    if (writable || core.length > 0) return
    await joined
  }

  /**
   * After a lookup, the connections it made are open but the core's replication channel on them
   * opens a round trip later: wait for the core's first peer (briefly, as a connection may be to
   * a peer that does not have this core), so that `update()` asks it.
   */
  private async _firstPeer(core: Hypercore<unknown>): Promise<void> {
    if (core.peers.length > 0 || this.networker.peers.length === 0 || core.closing) return
    await new Promise<void>((resolve) => {
      const onevent = () => {
        clearTimeout(timer)
        core.off('peer-add', onevent)
        core.off('close', onevent)
        resolve()
      }
      const timer = setTimeout(onevent, FIRST_PEER_WAIT)
      timer.unref?.()
      core.on('peer-add', onevent)
      core.on('close', onevent)
    })
  }

  // --- Autobase (the rest lives in base.ts) ----------------------------------------------------

  private _openBase<K, T, V>(
    ref?: KeyLike | null,
    opts: SDKBaseOptions<K, T, V> = {},
  ): Base<K, T, V> {
    this._check()
    const { refs } = baseRefs(ref)
    const cache = this._bases as Map<string, Base<K, T, V>>
    const cached = this._cached(cache, refs)
    if (cached) return cached
    if (this._pairing === undefined) this._pairing = pairingFor(this.networker)
    const base = this._track(openBase<K, T, V>(this.store, ref, opts, this._pairing), cache, refs)
    base.ready().then(() => {
      if (base.key) this._remember(cache, `key:${toHex(base.key)}`, base)
      if (!this.autoJoin || !base.discoveryKey || base.closing) return
      const topic = this._net.join(base.discoveryKey, { announce: true, lookup: true })
      this._flushes.set(base, topic.flushed().catch(noop))
      base.once('close', () => {
        if (!this.closing) topic.destroy().catch(noop)
      })
    }, noop)
    return base
  }

  // --- Hypercore --------------------------------------------------------------------------------

  private _openCore<T>(ref?: SDKRef, opts: SDKCoreOptions = {}): SDKCore<T> {
    this._check()
    const { extensions, handshakeTimeout, closeHypercore: _ignored, ...hypercoreOpts } = opts
    const coreOpts: CoreOptions = {}
    if (extensions) coreOpts.extensions = extensions
    if (handshakeTimeout !== undefined) coreOpts.handshakeTimeout = handshakeTimeout
    const parsed = parseRef(ref)
    const hook = (core: SDKCore<T>) => this._coreOpened(core)

    if (parsed === null) {
      const core = new SDKCore<T>(this.store.get<T>(null, hypercoreOpts), coreOpts, hook)
      return this._track(core, null, [])
    }
    if ('folder' in parsed) {
      throw new DatSdkError(
        'INVALID_KEY',
        `${parsed.folder} is a folder: open it with Hyperdrive()`,
      )
    }
    if ('domain' in parsed) {
      const refs = [`domain:${parsed.domain}`]
      const cached = this._cached(this._cores, refs)
      if (cached) return cached as SDKCore<T>
      const key = this._resolver.resolve(`hyper://${parsed.domain}`)
      key.catch(noop) // reported by the core's ready()
      const session = this.store.corestore.get<T>({
        ...hypercoreOpts,
        preload: key.then((k) => ({ key: k })),
      })
      return this._track(new SDKCore<T>(session, coreOpts, hook), this._coreCache<T>(), refs)
    }
    let refs: string[]
    let getRef: { name: string } | { key: Uint8Array }
    if ('name' in parsed) {
      const key = this.store.keyFor(parsed.name)
      refs = key ? [`key:${toHex(key)}`, `name:${parsed.name}`] : [`name:${parsed.name}`]
      getRef = { name: parsed.name }
    } else {
      refs = [`key:${toHex(parsed.key)}`]
      getRef = { key: parsed.key }
    }
    const cached = this._cached(this._cores, refs)
    if (cached) return cached as SDKCore<T>
    const core = new SDKCore<T>(this.store.get<T>(getRef, hypercoreOpts), coreOpts, hook)
    return this._track(core, this._coreCache<T>(), refs)
  }

  /** The one cache of cores, typed for a caller's value type (a core is cached whatever its type). */
  private _coreCache<T>(): Map<string, SDKCore<T>> {
    return this._cores as unknown as Map<string, SDKCore<T>>
  }

  private async _coreOpened<T>(core: SDKCore<T>): Promise<void> {
    if (core.key) this._remember(this._coreCache<T>(), `key:${toHex(core.key)}`, core)
    await this._autoJoin(core, core.hypercore as Hypercore<unknown>)
  }

  // --- Hyperdrive -------------------------------------------------------------------------------

  private _openDrive(ref?: SDKRef, opts: SDKDriveOptions = {}): SDKDrive {
    this._check()
    const { sync, ...driveOpts } = opts
    const parsed = parseRef(ref)
    const hook = (drive: SDKDrive) => this._driveOpened(drive)

    if (parsed === null) {
      return this._track(new SDKDrive(this.store, null, driveOpts, hook), null, [])
    }
    if ('domain' in parsed) {
      const refs = [`domain:${parsed.domain}`]
      const cached = this._cached(this._drives, refs)
      if (cached) return cached
      const key = this._resolver.resolve(`hyper://${parsed.domain}`)
      key.catch(noop)
      const session = this.store.corestore.session()
      const hyperdrive = new HyperdriveClass(lazyKeyCorestore(session, key), null, {
        encryptionKey: driveOpts.encryptionKey ?? null,
      })
      const drive = new SDKDrive({ hyperdrive, session }, null, driveOpts, hook)
      return this._track(drive, this._drives, refs)
    }
    let refs: string[]
    if ('folder' in parsed) refs = [`folder:${path.resolve(parsed.folder)}`]
    else if ('name' in parsed) refs = [`name:${parsed.name}`]
    else refs = [`key:${toHex(parsed.key)}`]
    const cached = this._cached(this._drives, refs)
    if (cached) return cached
    const drive = this._track(
      new SDKDrive(this.store, ref ?? null, driveOpts, hook),
      this._drives,
      refs,
    )
    if ('folder' in parsed && sync !== false)
      drive.folderSync = drive.syncFolder(parsed.folder, sync)
    return drive
  }

  private async _driveOpened(drive: SDKDrive): Promise<void> {
    if (drive.key) this._remember(this._drives, `key:${toHex(drive.key)}`, drive)
    await this._autoJoin(drive, drive.hyperdrive.core as Hypercore<unknown>)
  }

  // --- Hyperbee ---------------------------------------------------------------------------------

  private _openBee<K, V>(ref?: SDKRef, opts: BeeOptions<K, V> = {}): SDKBee<K, V> {
    this._check()
    const parsed = parseRef(ref)
    const hook = (bee: SDKBee<K, V>) => this._beeOpened(bee)
    const cache = this._bees as Map<string, SDKBee<K, V>>

    if (parsed === null) return this._track(new SDKBee(this.store, null, opts, hook), null, [])
    if ('folder' in parsed) {
      throw new DatSdkError('INVALID_KEY', `${parsed.folder} is a folder: a bee has no folder`)
    }
    if ('domain' in parsed) {
      const refs = [`domain:${parsed.domain}`]
      const cached = this._cached(cache, refs)
      if (cached) return cached
      const key = this._resolver.resolve(`hyper://${parsed.domain}`)
      key.catch(noop) // reported by the bee's ready()
      const core = this.store.corestore.get({ preload: key.then((k) => ({ key: k })) })
      return this._track(new SDKBee(core, null, opts, hook), cache, refs)
    }
    const refs = 'name' in parsed ? [`name:${parsed.name}`] : [`key:${toHex(parsed.key)}`]
    const cached = this._cached(cache, refs)
    if (cached) return cached
    return this._track(new SDKBee(this.store, ref ?? null, opts, hook), cache, refs)
  }

  private async _beeOpened<K, V>(bee: SDKBee<K, V>): Promise<void> {
    const cache = this._bees as Map<string, SDKBee<K, V>>
    if (bee.key) this._remember(cache, `key:${toHex(bee.key)}`, bee)
    await this._autoJoin(bee, bee.hyperbee.core)
  }

  // --- Corestore, Gossip, Multifeed -------------------------------------------------------------

  private _openStore(name?: string | null): Store {
    this._check()
    if (name !== undefined && name !== null && (typeof name !== 'string' || name === '')) {
      throw new TypeError('Corestore() takes a non-empty name, or nothing for a fresh namespace')
    }
    const label = name ?? b4a.toString(crypto.randomBytes(16), 'hex')
    const cached = this._cached(this._stores, [label])
    if (cached) return cached
    return this._track(this.store.namespace(layout.corestore(label)), this._stores, [label])
  }

  private _openGossip<P extends object>(
    host: ExtensionHost<P> | null | undefined,
    opts?: GossipOptions<P>,
  ): Gossip<P> | Gossip<NetworkPeerLike> {
    this._check()
    const gossip = host
      ? new Gossip<P>(host, opts)
      : // Without a host, the options speak of the networker's peers (the factory types it so).
        new Gossip<NetworkPeerLike>(this.networker, opts as GossipOptions<NetworkPeerLike>)
    return this._track(gossip, null, [])
  }

  private _openMultifeed<T>(ref: string | Store, opts: MultifeedOptions = {}): Multifeed<T> {
    this._check()
    let storage: Store
    let refs: string[] = []
    if (typeof ref === 'string') {
      if (ref === '') throw new TypeError('A multifeed name cannot be empty')
      refs = [ref]
      const cached = this._cached(this._multifeeds, refs)
      if (cached) return cached as Multifeed<T>
      storage = this._track(this.store.namespace(layout.multifeed(ref)), null, [])
    } else if (ref instanceof Store) {
      storage = ref
    } else {
      throw new TypeError('Multifeed() takes a name or a Store')
    }
    const multifeed = new Multifeed<T>(storage, opts)
    this._track(multifeed, this._multifeeds as Map<string, Multifeed<T>>, refs)
    if (typeof ref === 'string') multifeed.once('close', () => void storage.close().catch(noop))
    if (this.autoJoin) {
      const joined = multifeed.join(this._net)
      joined.catch(noop)
      this._flushes.set(multifeed, joined)
    }
    return multifeed
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

function noop(): void {}
