/// <reference types="node" preserve="true" />
import type { Duplex } from 'node:stream'

/** A Noise key pair: the swarm's identity, seen by peers as their connection's `remotePublicKey`. */
export interface SwarmKeyPair {
  /** The public half, a peer's identity on the swarm. */
  publicKey: Uint8Array
  /** The secret half, never sent. */
  secretKey: Uint8Array
}

/**
 * One connection from a swarm: an encrypted duplex stream (Hyperswarm gives an
 * `@hyperswarm/secret-stream` NoiseSecretStream). Protomux and corestore replication run on it.
 */
export interface SwarmSocket extends Duplex {
  /** The remote's public key; may be null until the handshake is done (see `opened`). */
  readonly remotePublicKey: Uint8Array | null
  /** True on the side that dialled. Used to pick the same connection on both ends of a duplicate. */
  readonly isInitiator?: boolean
  /** Resolves true once the handshake is done, false when the stream closed before it. */
  readonly opened?: Promise<boolean>
  /** The transport under the encryption (a UDX stream for Hyperswarm), when there is one. */
  readonly rawStream?: { remoteHost?: string; remotePort?: number } | null
  /** Where Protomux keeps the connection's mux (`Protomux.from(socket)`). */
  userData: unknown
}

/** What a swarm says about the peer of a new connection (Hyperswarm's `PeerInfo`). */
export interface SwarmPeerInfo {
  /** The remote peer's public key, when known. */
  publicKey?: Uint8Array | null
  /** A transport name for `NetworkPeer.type` (Hyperswarm gives none: its connections are `'udx'`). */
  type?: string
  /**
   * The topics on which our lookups found this peer (Hyperswarm's `peerInfo.topics`, which grows
   * as later lookups find it again). The networker counts them to tell a crowded topic.
   */
  readonly topics?: ReadonlyArray<Uint8Array>
}

/** A joined topic: what `SwarmLike.join()` returns (Hyperswarm's `PeerDiscoverySession`). */
export interface SwarmDiscovery {
  /** Resolves once the topic has been announced and / or looked up once. */
  flushed(): Promise<unknown>
  /** Leaves the topic for this session (the swarm leaves it when no session is left). */
  destroy(): Promise<unknown>
  /** Announces / looks up again now. Optional: without it the networker relies on the swarm's own schedule. */
  refresh?(): Promise<unknown>
}

/** Listener of a swarm's `'connection'` event. */
export type SwarmConnectionListener = (socket: SwarmSocket, info: SwarmPeerInfo) => void

/**
 * The structural subset of Hyperswarm the networker uses. Anything that has these members can
 * stand in for Hyperswarm (`opts.swarm`), e.g. an in-memory swarm in tests.
 */
export interface SwarmLike {
  /** The swarm's identity, which peers see as our public key. */
  readonly keyPair: SwarmKeyPair
  /** Announces (`server`) and / or looks up (`client`) `topic`; connections arrive as `'connection'`. */
  join(topic: Uint8Array, opts: { server: boolean; client: boolean }): SwarmDiscovery
  /** Resolves once every topic was flushed and every connection attempt so far has settled. */
  flush(): Promise<unknown>
  /** Starts accepting connections. */
  listen(): Promise<unknown>
  /** Listens for new connections. */
  on(event: 'connection', listener: SwarmConnectionListener): unknown
  /** Stops listening for new connections. */
  off(event: 'connection', listener: SwarmConnectionListener): unknown
  /** Leaves every topic, ends every connection and frees the swarm's resources. */
  destroy(): Promise<unknown>
  /** Keeps a connection to the peer with this public key, with no topic (Hyperswarm's `joinPeer`). Optional. */
  joinPeer?(publicKey: Uint8Array): void
  /** Stops keeping a connection to that peer (Hyperswarm's `leavePeer`). Optional. */
  leavePeer?(publicKey: Uint8Array): void
  /** Closes every connection and pauses every lookup and announce until `resume()`. Optional. */
  suspend?(): Promise<unknown>
  /** Brings back what `suspend()` paused: lookups, announces and explicit peers. Optional. */
  resume?(): Promise<unknown>
}
