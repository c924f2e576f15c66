/** What every kind of peer has: who it is and where it is. */
export interface RemotePeer {
  /** The remote's Noise public key. */
  readonly remotePublicKey: Uint8Array
  /** `host:port` of the remote end, or null when the transport has no address. */
  readonly remoteAddress: string | null
}

/**
 * A remote replicating one core (`Core`, `Drive`, `Bee`): one per connection that shares the
 * core, the same object for every event and handler while the connection lasts.
 */
export interface Peer extends RemotePeer {
  /** Hex of `remotePublicKey`: stable for one remote key pair, handy as a map key. */
  readonly id: string
  /** How many blocks the remote says the core has. */
  readonly remoteLength: number
  /** Whether the remote has block `index`, from what it told us. */
  has(index: number): boolean
  /** Sends `message` to this peer on the extension `name` of the core this peer came from. */
  extension(name: string, message: unknown): void
}
