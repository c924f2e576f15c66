// The connection an exchange runs on, as the session sees it: the Noise stream under a
// replication stream (or under a Hyperswarm connection), with a protomux muxer on it.
import type { Duplex } from 'node:stream'

/** The Noise stream under a replication stream: what the session needs of it. */
export interface NoiseStreamLike extends Duplex {
  isInitiator: boolean
  handshakeHash: Uint8Array | null
  remotePublicKey?: Uint8Array | null
  opened: Promise<boolean>
  userData: unknown
}

/**
 * The Noise stream of the replication stream `stream`, with a muxer on it: a bare Noise stream
 * (a Hyperswarm connection nobody replicated on yet) gets one the way hypercore would give it,
 * by letting `store` replicate on it. Throws a `TypeError` for anything else.
 */
export function noiseOf(
  stream: Duplex,
  store: { replicate(stream: Duplex): unknown },
): NoiseStreamLike {
  const noise =
    typeof stream === 'object' && stream !== null
      ? (stream as Duplex & { noiseStream?: NoiseStreamLike }).noiseStream
      : undefined
  if (!noise) throw new TypeError('replicate() takes a boolean or a replication stream')
  if (!noise.userData) store.replicate(stream)
  return noise
}
