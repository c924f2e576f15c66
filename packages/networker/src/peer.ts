import type { SwarmSocket } from './swarm.js'

/** One connected peer: exactly one per remote public key. */
export interface NetworkPeer {
  /** The remote's Noise public key (its networker's `publicKey`). */
  readonly remotePublicKey: Uint8Array
  /** `host:port` of the remote end, when the transport has an address. */
  readonly remoteAddress: string | null
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
