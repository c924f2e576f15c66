import process from 'process'
// The SDK's options and the types of its shortcuts (`sdk.Hypercore(ref, opts)`...).
import type { BeeKeyOf, BeeOptionsLike, BeeValueOf } from '@dat-sdk/bee-wrapper'
import type { CoreFromOptions, CoreOptions } from '@dat-sdk/core-wrapper'
import type { DriveOptions, SyncFolderOptions } from '@dat-sdk/drive-wrapper'
import type { Gossip, GossipOptions } from '@dat-sdk/gossip'
import type { Multifeed, MultifeedOptions } from '@dat-sdk/multifeed'
import type { BootstrapNode, SwarmLike } from '@dat-sdk/networker'
import type { HypercoreOptions, KeyLike, Store } from '@dat-sdk/store'
import type { ExtensionHost, NetworkPeerLike, NetworkerLike } from '@dat-sdk/interfaces'
import type { SeedKind } from '@dat-sdk/seeding'
import type { DnsOptions } from './dns.js'
import type { SDKBee, SDKBeeOptions } from './bee.js'
import type { SDKCore, SDKDrive } from './parts.js'

/** Options for `createSDK`: storage, networking, defaults and DNS. */
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
  /**
   * The Noise key pair of the default networker: peers see its public key as `remotePublicKey`.
   * Default: derived from the store (`corestore.createKeyPair('noise')`, as hyper-sdk does), so it
   * is the same on every run on the same storage.
   */
  keyPair?: { publicKey: Uint8Array; secretKey: Uint8Array }
  /**
   * The blind peers this app uses (their Noise public keys, any key spelling): seeds are kept by
   * them, and the SDK keeps a connection to each (`joinPeer`), since a blind peer does not
   * announce the cores of clients it does not trust. A malformed key rejects with `INVALID_KEY`.
   */
  blindPeers?: KeyLike[]
}

/** `sdk.seed(ref, opts)`. */
export interface SDKSeedOptions {
  /** What `ref` is, when it is a key or URL; without it, the ref's first block tells (a peer must have it). */
  kind?: SeedKind
  /** The key of an encrypted part (any key spelling): kept in the local seed record only. */
  encryptionKey?: KeyLike
  /** The blind peers to keep it (default: the SDK's `blindPeers`). */
  blindPeers?: KeyLike[]
  /** Record it so that `createSDK()` on the same storage seeds it again (default true). */
  persist?: boolean
  /** Keep a full local copy, downloading every block now and later (default true). */
  download?: boolean
  /** How long to wait for a peer when the ref's first block must be read (ms, default 30,000). */
  timeout?: number
}

/** A ref the shortcuts take: a name, a key in any spelling, a hyper:// or dat:// URL, or null. */
export type SDKRef = KeyLike | null | undefined

/**
 * `Hypercore(ref, opts)`: hypercore's options (`valueEncoding`, `sparse`...) plus `Core.from()`'s
 * (`extensions`, `encryptionKey`...), but not `closeHypercore`: the SDK opens the hypercore
 * session a `Core` wraps (nobody else holds it), so closing the `Core` always closes that
 * session; leaving it open would leak it.
 */
export type SDKCoreOptions = HypercoreOptions &
  Omit<CoreOptions, 'closeHypercore'> &
  Pick<CoreFromOptions, 'encryptionKey'>

/** `Hyperdrive(ref, opts)`: `Drive`'s options, plus how a folder ref is kept in sync. */
export interface SDKDriveOptions extends DriveOptions {
  /**
   * For a folder ref: options of the folder sync (`live`, `prune`, `ignore`), or `false` to open
   * the drive named in `<folder>/.dat` without syncing (to check `writable` first, say).
   */
  sync?: SyncFolderOptions | false
}

/** `Hypercore(ref, opts)`: a core by name, key, URL or DNS name, announced on the swarm; throws `INVALID_KEY` on a malformed key (a DNS name that does not resolve: `ready()` rejects with `NAME_NOT_FOUND` or `DNS_TIMEOUT`). */
export interface HypercoreFactory {
  <T = Uint8Array>(ref?: SDKRef, opts?: SDKCoreOptions): SDKCore<T>
  new <T = Uint8Array>(ref?: SDKRef, opts?: SDKCoreOptions): SDKCore<T>
}

/** `Hyperdrive(ref, opts)`: a drive by name, key, URL, DNS name or folder, announced on the swarm; throws `INVALID_KEY` on a malformed key. */
export interface HyperdriveFactory {
  (ref?: SDKRef, opts?: SDKDriveOptions): SDKDrive
  new (ref?: SDKRef, opts?: SDKDriveOptions): SDKDrive
}

/**
 * `Hyperbee(ref, opts)`: with no type arguments the key and value types follow the encodings in
 * `opts` (`{ keyEncoding: 'utf-8' }` gives an `SDKBee<string, Uint8Array>`); explicit ones
 * (`Hyperbee<string, Doc>(...)`) are taken as they are.
 */
export interface HyperbeeFactory {
  <O extends BeeOptionsLike = {}>(ref?: SDKRef, opts?: O): SDKBee<BeeKeyOf<O>, BeeValueOf<O>>
  <K = Uint8Array, V = Uint8Array>(ref?: SDKRef, opts?: SDKBeeOptions<K, V>): SDKBee<K, V>
  new <O extends BeeOptionsLike = {}>(ref?: SDKRef, opts?: O): SDKBee<BeeKeyOf<O>, BeeValueOf<O>>
  new <K = Uint8Array, V = Uint8Array>(ref?: SDKRef, opts?: SDKBeeOptions<K, V>): SDKBee<K, V>
}

/** `Corestore(name)`: a store for your own cores, namespaced under `name`. */
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

/** `Multifeed(ref, opts)`: a multifeed by name or over a store. */
export interface MultifeedFactory {
  <T = Uint8Array>(ref: string | Store, opts?: MultifeedOptions): Multifeed<T>
  new <T = Uint8Array>(ref: string | Store, opts?: MultifeedOptions): Multifeed<T>
}

/** `$DAT_SDK_BOOTSTRAP`: comma-separated `host:port` bootstrap nodes, the default of `bootstrap`. */
export function envBootstrap(): string[] | undefined {
  const list = process.env.DAT_SDK_BOOTSTRAP?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return list && list.length > 0 ? list : undefined
}
