/// <reference types="node" preserve="true" />
/// <reference path="./hyperdht.d.ts" preserve="true" />
/// <reference path="./secret-stream.d.ts" preserve="true" />
// Hand-written declaration for `hyperswarm` 4 (it ships no types), typed as far as this project
// uses it. Its connections are @hyperswarm/secret-stream's NoiseSecretStream (./secret-stream.d.ts).
declare module 'hyperswarm' {
  import { EventEmitter } from 'node:events'
  import type { Duplex } from 'node:stream'
  import type HyperDHT from 'hyperdht'
  import type { DHTKeyPair } from 'hyperdht'

  /** A Noise-encrypted connection (an `@hyperswarm/secret-stream` NoiseSecretStream). */
  export interface SwarmConnection extends Duplex {
    readonly isInitiator: boolean
    readonly publicKey: Uint8Array
    readonly remotePublicKey: Uint8Array
    readonly handshakeHash: Uint8Array | null
    /** Resolves true once the handshake is done, false when destroyed before it. */
    readonly opened: Promise<boolean>
    readonly rawStream: { remoteHost?: string; remotePort?: number } | null
    userData: unknown
    rawBytesRead: number
    rawBytesWritten: number
    sendKeepAlive(): void
  }

  export interface PeerInfo {
    publicKey: Uint8Array
    topics: Uint8Array[]
    client: boolean
    readonly server: boolean
    explicit: boolean
    banned: boolean
  }

  export interface PeerDiscoverySession {
    readonly topic: Uint8Array
    readonly isClient: boolean
    readonly isServer: boolean
    readonly destroyed: boolean
    refresh(opts?: { client?: boolean; server?: boolean }): Promise<boolean>
    flushed(): Promise<boolean>
    destroy(): Promise<void>
  }

  export interface HyperswarmOptions {
    keyPair?: DHTKeyPair
    seed?: Uint8Array
    dht?: HyperDHT
    bootstrap?: Array<{ host: string; port: number } | string>
    maxPeers?: number
    maxParallel?: number
    firewall?(remotePublicKey: Uint8Array, payload: unknown): boolean
  }

  export default class Hyperswarm extends EventEmitter {
    constructor(opts?: HyperswarmOptions)
    readonly keyPair: DHTKeyPair
    readonly dht: HyperDHT
    readonly destroyed: boolean
    readonly connections: Set<SwarmConnection>
    readonly peers: Map<string, PeerInfo>
    readonly listening: Promise<void> | null
    join(
      topic: Uint8Array,
      opts?: { server?: boolean; client?: boolean; limit?: number },
    ): PeerDiscoverySession
    leave(topic: Uint8Array): Promise<void>
    joinPeer(publicKey: Uint8Array): void
    leavePeer(publicKey: Uint8Array): void
    status(topic: Uint8Array): unknown
    listen(): Promise<void>
    flush(): Promise<boolean>
    destroy(opts?: { force?: boolean }): Promise<void>
    readonly suspended: boolean
    /** Closes every connection and pauses the DHT server and every discovery. */
    suspend(opts?: { log?: (message: string) => unknown }): Promise<void>
    /** Brings back the DHT, the server and every discovery (each refreshes at once). */
    resume(opts?: { log?: (message: string) => unknown }): Promise<void>
    on(event: 'connection', listener: (conn: SwarmConnection, info: PeerInfo) => void): this
    on(event: 'update' | 'close', listener: () => void): this
    on(event: string, listener: (...args: unknown[]) => void): this
    off(event: 'connection', listener: (conn: SwarmConnection, info: PeerInfo) => void): this
    off(event: string, listener: (...args: unknown[]) => void): this
  }
}
