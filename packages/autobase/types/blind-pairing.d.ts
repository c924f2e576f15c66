/// <reference types="node" preserve="true" />
// Hand-written declaration for `blind-pairing` 2 (ships no types), typed as far as this project uses it.
declare module 'blind-pairing' {
  import ReadyResource from 'ready-resource'
  import { EventEmitter } from 'node:events'
  import type { Encoder } from 'compact-encoding'
  import type { Duplex } from 'node:stream'

  /** A swarm connection (a Noise secret stream); blind-pairing keeps its Protomux in `userData`. */
  export interface PairingConnection extends Duplex {
    /** Whatever the connection's owner attaches to it (a muxer here). */
    userData: unknown
    /** The remote's public key, or null when not known. */
    remotePublicKey: Uint8Array | null
    /** Sets the connection's keep-alive interval, in ms. */
    setKeepAlive?(ms: number): void
  }

  export interface DecodedInvite {
    id: Uint8Array
    seed: Uint8Array
    discoveryKey: Uint8Array | null
    expires: number
    sensitive: boolean
    testInvitation: boolean
  }

  export interface CreatedInvite {
    id: Uint8Array
    invite: Uint8Array
    seed: Uint8Array
    publicKey: Uint8Array
    discoveryKey: Uint8Array
    expires: number
  }

  /** A request as the member (a writer of the base) sees it. */
  export interface MemberRequest {
    inviteId: Uint8Array
    userData: Uint8Array | null
    /** Decrypts the request with the invite's public key; throws when it is not for that invite. */
    open(publicKey: Uint8Array): Uint8Array
    confirm(opts: { key: Uint8Array; encryptionKey?: Uint8Array | null }): void
    /** status 1: rejected, 2: invite used, 3: invite expired. */
    deny(opts?: { status?: number }): void
  }

  export interface PairingResult {
    key: Uint8Array
    encryptionKey: Uint8Array | null
    data: Uint8Array | null
  }

  export interface CandidateRequest extends EventEmitter {
    discoveryKey: Uint8Array
    on(event: 'rejected', listener: (err: Error & { code?: string }) => void): this
    on(event: string, listener: (...args: unknown[]) => void): this
  }

  export interface Member extends ReadyResource {
    flushed(): Promise<void>
  }

  export interface Candidate extends ReadyResource {
    request: CandidateRequest
    paired: PairingResult | null
    pairing: Promise<PairingResult | null> | null
  }

  /**
   * What blind-pairing reads of a connection: the muxer in `userData` (it makes a Protomux there
   * when it is empty). blind-pairing calls only `pair`, `unpair` and `createChannel` on it.
   */
  export interface MuxerHost {
    userData: unknown
    setKeepAlive?(ms: number): void
  }

  /** The swarm blind-pairing runs on: a Hyperswarm (it uses its DHT directly). */
  export interface PairingSwarm<C extends MuxerHost = PairingConnection> extends EventEmitter {
    /** The swarm's DHT node. */
    dht: EventEmitter
    /** The swarm's open connections. */
    connections: Set<C>
    /** Joins a topic as a server, a client or both. */
    join(topic: Uint8Array, opts?: { server?: boolean; client?: boolean }): unknown
    /** Resolves once pending joins have been announced and looked up. */
    flush(): Promise<unknown>
  }

  export default class BlindPairing extends ReadyResource {
    constructor(swarm: PairingSwarm<MuxerHost>, opts?: { poll?: number })
    static Invite: Encoder<DecodedInvite>
    static createInvite(key: Uint8Array, opts?: { expires?: number }): CreatedInvite
    static decodeInvite(invite: Uint8Array): DecodedInvite
    swarm: PairingSwarm<MuxerHost>
    addMember(opts: {
      discoveryKey: Uint8Array
      announce?: boolean
      onadd(request: MemberRequest): Promise<void>
    }): Member
    addCandidate(opts: {
      invite: Uint8Array
      userData: Uint8Array
      onadd(result: PairingResult): Promise<void> | void
    }): Candidate
  }
}
