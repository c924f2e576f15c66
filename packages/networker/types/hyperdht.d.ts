/// <reference types="node" preserve="true" />
/// <reference path="./secret-stream.d.ts" preserve="true" />
// Hand-written declaration for `hyperdht` 6 (it ships no types), typed as far as this project uses
// it: the DHT node a Hyperswarm runs on, and `hyperdht/testnet.js`, the loopback testnet that
// test-utils and the cli's `testnet` and `demo` commands run.
declare module 'hyperdht' {
  import { EventEmitter } from 'node:events'

  export interface DHTKeyPair {
    publicKey: Uint8Array
    secretKey: Uint8Array
  }

  /** A UDX socket of the DHT node, as far as this project uses it. */
  export interface DHTSocket {
    /** The kernel's receive buffer of the socket (Linux reports twice what was set). */
    getRecvBufferSize(): number
    /** Asks for a receive buffer of `size` bytes (the kernel caps it at net.core.rmem_max). */
    setRecvBufferSize(size: number): void
  }

  export interface DHTOptions {
    bootstrap?: Array<{ host: string; port: number } | string>
    /** The address the UDP socket binds (0.0.0.0 by default). */
    host?: string
    port?: number
    firewalled?: boolean
    keyPair?: DHTKeyPair
    ephemeral?: boolean
  }

  export default class HyperDHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    static keyPair(seed?: Uint8Array): DHTKeyPair
    /** The key pair `connect()` dials with unless given one (`opts.keyPair`, else random). */
    readonly defaultKeyPair: DHTKeyPair
    /** Dials the peer listening on `remotePublicKey` (blind-peering reaches blind peers so). */
    connect(
      remotePublicKey: Uint8Array,
      opts?: { keyPair?: DHTKeyPair },
    ): import('@hyperswarm/secret-stream').default
    readonly destroyed: boolean
    /** dht-rpc's sockets: UDX sockets, bound once the node is ready (null before). */
    readonly io: { serverSocket: DHTSocket | null; clientSocket: DHTSocket | null }
    ready(): Promise<void>
    address(): { host: string; port: number }
    destroy(opts?: { force?: boolean }): Promise<void>
  }
}

declare module 'hyperdht/testnet.js' {
  import type HyperDHT from 'hyperdht'
  import type { DHTOptions } from 'hyperdht'

  /** A DHT node of the testnet. */
  export type DHTNode = HyperDHT

  export interface Testnet {
    nodes: HyperDHT[]
    bootstrap: Array<{ host: string; port: number }>
    /** A new node bootstrapped on this testnet, destroyed with it. */
    createNode(opts?: DHTOptions): HyperDHT
    destroy(): Promise<void>
  }

  export default function createTestnet(
    size?: number,
    opts?: { host?: string; port?: number; bootstrap?: Array<{ host: string; port: number }> },
  ): Promise<Testnet>
}
