import b4a from 'b4a'
import type { Peer as PeerShape } from '@dat-sdk/interfaces'
import type { HypercorePeer } from '@dat-sdk/store'

/** What a `Peer` asks of the `Core` it belongs to (kept narrow so `peer.ts` needs no `Core`). */
export interface PeerOwner {
  sendByName(name: string, message: unknown, peer: Peer): void
}

/**
 * A remote peer replicating a core: one per connection that shares the core. The same `Peer`
 * object is handed to every event and handler of one `Core` for as long as the connection lasts.
 */
export class Peer implements PeerShape {
  /** Hex of `remotePublicKey`: stable for one remote key pair, handy as a map key. */
  readonly id: string
  /** The remote's Noise public key. */
  readonly remotePublicKey: Uint8Array
  /** The raw hypercore replication peer, for anything this wrapper does not cover. */
  readonly hypercorePeer: HypercorePeer

  private readonly _owner: PeerOwner

  constructor(owner: PeerOwner, raw: HypercorePeer) {
    this._owner = owner
    this.hypercorePeer = raw
    this.remotePublicKey = raw.remotePublicKey ?? raw.stream.remotePublicKey
    this.id = this.remotePublicKey ? b4a.toString(this.remotePublicKey, 'hex') : ''
  }

  /** `host:port` of the remote end when the connection runs over a network socket. */
  get remoteAddress(): string | null {
    const raw = this.hypercorePeer.stream?.rawStream
    const host = raw?.remoteHost
    if (typeof host !== 'string' || host === '') return null
    return typeof raw?.remotePort === 'number' ? `${host}:${raw.remotePort}` : host
  }

  /** How many blocks the remote says the core has. */
  get remoteLength(): number {
    return this.hypercorePeer.remoteLength
  }

  /** How many blocks, from the start, the remote holds without a gap. */
  get remoteContiguousLength(): number {
    return this.hypercorePeer.remoteContiguousLength
  }

  /**
   * Whether the remote has block `index`, from what it told us: the contiguous prefix it
   * announced plus its bitfield (hypercore keeps the prefix apart from the bitfield).
   */
  has(index: number): boolean {
    const raw = this.hypercorePeer
    return index < raw.remoteContiguousLength || raw.remoteBitfield.get(index)
  }

  /** Sends `message` to this peer on the extension `name` of the `Core` this peer came from. */
  extension(name: string, message: unknown): void {
    this._owner.sendByName(name, message, this)
  }
}
