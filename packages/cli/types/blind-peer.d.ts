// Hand-written declaration for `blind-peer` 3 (it ships no types), typed as far as the cli's
// `blind-peer` command uses it. Read its index.js, not its README: the README shows options the
// code ignores.
/// <reference path="../../networker/types/hyperswarm.d.ts" />
declare module 'blind-peer' {
  import { EventEmitter } from 'node:events'
  import type Hyperswarm from 'hyperswarm'

  export interface BlindPeerOptions {
    /**
     * The swarm to serve on (not destroyed by the blind peer). Its key pair is the blind peer's
     * public key. Without one the blind peer makes its own on the default DHT.
     */
    swarm?: Hyperswarm
    /** Past this many bytes stored, the blind peer clears the least used cores (default 100 GB). */
    maxBytes?: number
    /** Clients (Noise public keys) whose cores the blind peer announces; others are kept but not announced. */
    trustedPubKeys?: Uint8Array[]
  }

  export interface BlindPeerDigest {
    referrers: number
    cores: number
    bytesAllocated: number
  }

  export default class BlindPeer extends EventEmitter {
    /** `rocks`: the RocksDB directory its corestore and records live in. */
    constructor(rocks: string, opts?: BlindPeerOptions)
    readonly publicKey: Uint8Array
    readonly digest: BlindPeerDigest
    readonly maxBytes: number
    readonly opened: boolean
    readonly closed: boolean
    ready(): Promise<void>
    /** Opens, then listens on the swarm (announces its key on the DHT). */
    listen(): Promise<void>
    close(): Promise<void>
  }
}
