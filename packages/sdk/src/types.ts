import type { Duplex } from 'node:stream'
import type { DatSdkError, Encoding } from '@dat-sdk/store'

/** One connection of a `NetworkerLike`: at least the remote's identity. */
export interface NetworkPeerLike {
  /** The remote's public key: one connection per key. */
  readonly remotePublicKey: Uint8Array
  /** `host:port` of the remote, when the transport has one. */
  readonly remoteAddress?: string | null
  /**
   * The connection's encrypted duplex stream (a `@hyperswarm/secret-stream`), which the store
   * replicates over. `Multifeed` runs its exchange on it, so a transport without one cannot carry
   * multifeeds.
   */
  readonly stream?: Duplex
}

export interface NetworkConfigureOptions {
  /** Announce the discovery key so others find us. */
  announce?: boolean
  /** Look the discovery key up and connect to who announces it. */
  lookup?: boolean
  /** Resolve once the lookup / announce went round and the connections it made are open. */
  flush?: boolean
}

export interface NetworkExtensionHandlers<M, P extends NetworkPeerLike = NetworkPeerLike> {
  encoding?: Encoding<M>
  onmessage?(message: M, peer: P): void
  onerror?(err: DatSdkError, peer?: P): void
}

/** A connection-level extension: messages on every connection, independent of any core. */
export interface NetworkExtensionLike<M, P extends NetworkPeerLike = NetworkPeerLike> {
  send(message: M, peer: P): void
  broadcast(message: M): void
  destroy(): void
}

/**
 * The networking seam of the SDK: what `createSDK({ networker })` must return. The default is a
 * `Networker` on Hyperswarm; anything with this shape can stand in (a TCP transport, a relay...).
 * It must replicate every connection into the store it was made for.
 */
export interface NetworkerLike<P extends NetworkPeerLike = NetworkPeerLike> {
  configure(discoveryKey: Uint8Array, opts?: NetworkConfigureOptions): Promise<void>
  readonly peers: ReadonlyArray<P>
  on(event: 'peer-add' | 'peer-remove', listener: (peer: P) => void): unknown
  off(event: 'peer-add' | 'peer-remove', listener: (peer: P) => void): unknown
  registerExtension<M = Uint8Array>(
    name: string,
    handlers?: NetworkExtensionHandlers<M, P>,
  ): NetworkExtensionLike<M, P>
  close(): Promise<void>
  listen?(): Promise<void>
}
