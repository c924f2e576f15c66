/// <reference types="node" preserve="true" />
import type { Duplex } from 'node:stream'
import type { Extension, ExtensionHandlers } from './extension.js'
import type { RemotePeer } from './peer.js'
import type { SwarmSocket } from './swarm.js'

/** One connection of a `NetworkerLike`: at least the remote's identity. */
export interface NetworkPeerLike extends RemotePeer {
  /**
   * The connection's encrypted duplex stream, which the store replicates over. `Multifeed` runs
   * its exchange on it, so a transport without one cannot carry multifeeds.
   */
  readonly stream?: Duplex
}

/** One connection of a `Networker`: exactly one per remote public key. */
export interface NetworkPeer extends NetworkPeerLike {
  /** The transport: `'udx'` for Hyperswarm, or what a `SwarmLike` names it. */
  readonly type: string
  /** True when we dialled the connection. */
  readonly client: boolean
  /**
   * The encrypted connection. `Protomux.from(peer.stream)` gives the mux replication runs on, and
   * `store.replicate(peer.stream)` attaches another store to it.
   */
  readonly stream: SwarmSocket
}

/** How a topic is joined: announced so others find us, looked up to find them (both default true). */
export interface JoinOptions {
  /** Announce this topic so that others find us (default true). */
  announce?: boolean
  /** Look up peers on this topic (default true). */
  lookup?: boolean
}

export interface ConfigureOptions extends JoinOptions {
  /** Resolve only once the topic was flushed and every connection made so far shook hands (default true). */
  flush?: boolean
}

/**
 * One user's hold on a joined topic. The topic stays joined until its last handle is destroyed
 * (`configure()` counts as one more user, released by `configure(dk, { announce: false, lookup: false })`).
 */
export interface Topic {
  /** The 32-byte topic (a discovery key, or a hashed app-level name). */
  readonly topic: Uint8Array
  /** Resolves once the topic was announced / looked up and the connections it made shook hands. */
  flushed(): Promise<void>
  /** Releases this handle; the topic is left when no handle (and no `configure()`) holds it. */
  destroy(): Promise<void>
}

/**
 * The networking seam of the SDK: what `createSDK({ networker })` must return. The default is a
 * `Networker` on Hyperswarm; anything with this shape can stand in (a TCP transport, a relay...).
 * It replicates every connection into the store it was made for.
 */
export interface NetworkerLike<P extends NetworkPeerLike = NetworkPeerLike> {
  /** Joins or leaves a discovery key with the given announce / lookup flags. */
  configure(discoveryKey: Uint8Array, opts?: ConfigureOptions): Promise<void>
  /** Counted topic handles. Optional: without it the SDK counts its own users over `configure()`. */
  join?(topic: Uint8Array, opts?: JoinOptions): Topic
  /** The peers connected now, one per remote. */
  readonly peers: readonly P[]
  /** Listens for peers connecting and disconnecting. */
  on(event: 'peer-add' | 'peer-remove', listener: (peer: P) => void): unknown
  /** Stops listening for peers connecting and disconnecting. */
  off(event: 'peer-add' | 'peer-remove', listener: (peer: P) => void): unknown
  /** Registers a connection-level extension on every peer, now and later. */
  registerExtension<M = Uint8Array>(
    name: string,
    handlers?: ExtensionHandlers<M, P>,
  ): Extension<M, P>
  /** Leaves every topic and closes every connection. */
  close(): Promise<void>
  /** Starts accepting connections without joining a topic. */
  listen?(): Promise<void>
  /**
   * Keeps a connection to one known peer (its Noise public key), with no topic; still one
   * connection per remote key. Optional: without it the SDK's `joinPeer()` rejects `NOT_SUPPORTED`.
   */
  joinPeer?(publicKey: Uint8Array): void | Promise<void>
  /** Stops keeping that connection (an open one is not cut). Optional, as `joinPeer`. */
  leavePeer?(publicKey: Uint8Array): void | Promise<void>
  /**
   * An app going to the background: every connection closed, lookups and announces paused.
   * Optional: without it the SDK's `suspend()` rejects `NOT_SUPPORTED`.
   */
  suspend?(): Promise<void>
  /** Brings back what `suspend()` paused; what was replicating before replicates again. Optional. */
  resume?(): Promise<void>
}
