// blind-peering 2.0.1 ships no types: the surface this package uses (read from its index.js;
// its README shows options, such as `mirrors`, that the code ignores).
declare module 'blind-peering' {
  import type Hypercore from 'hypercore'

  /** The DHT it connects to blind peers through (a Hyperswarm's `dht`). */
  export interface BlindPeeringDHT {
    connect(publicKey: Uint8Array, opts?: { keyPair?: object }): unknown
    on(event: 'network-change', listener: () => void): unknown
    off(event: 'network-change', listener: () => void): unknown
    readonly destroyed: boolean
  }

  /** What it replicates each blind-peer connection into (a Corestore). */
  export interface BlindPeeringStore {
    replicate(stream: unknown): unknown
  }

  /** What `addAutobase()` reads of an Autobase 7. */
  export interface BlindPeeringAutobase {
    ready(): Promise<void>
    readonly closing: Promise<void> | null | boolean
    readonly wakeupCapability: { key: Uint8Array } | null
    readonly local: Hypercore<unknown>
    readonly core: { on(event: 'migrate', listener: () => void): unknown }
    views(): Iterable<{ key: Uint8Array; signedLength: number }>
    readonly activeWriters: Iterable<{ core: Hypercore<unknown> }>
    on(event: 'writer' | 'close', listener: () => void): unknown
    off(event: 'writer', listener: () => void): unknown
  }

  export interface AddOptions {
    /** The blind peers to ask (their Noise public keys); default: the constructor's `keys`. */
    keys?: Uint8Array[]
    /** How many of `keys` (the closest to the core's key by XOR) to ask; default 2. */
    pick?: number
    /** Ask the blind peer to announce the core on the DHT (trusted clients only). */
    announce?: boolean
    priority?: number
    referrer?: Uint8Array | null
    target?: Uint8Array
  }

  export interface BlindPeeringOptions {
    keys?: Array<Uint8Array | string>
    pick?: number
    gcWait?: number
    suspended?: boolean
  }

  export default class BlindPeering {
    constructor(dht: BlindPeeringDHT, store: BlindPeeringStore, opts?: BlindPeeringOptions)
    keys: Uint8Array[]
    readonly closed: boolean
    /** Its connections to blind peers, by hex key (read only: `connected` says one is open). */
    readonly blindPeers: Map<string, { readonly connected: boolean }>
    /** Resolves once connected to the chosen blind peers (not once they stored anything). */
    addCore(core: Hypercore<unknown>, opts?: AddOptions): Promise<void>
    addCoreBackground(core: Hypercore<unknown>, opts?: AddOptions): void
    addAutobase(base: BlindPeeringAutobase, opts?: AddOptions): Promise<void>
    addAutobaseBackground(base: BlindPeeringAutobase, opts?: AddOptions): void
    suspend(): Promise<unknown>
    resume(): Promise<unknown>
    close(): Promise<void>
  }
}
