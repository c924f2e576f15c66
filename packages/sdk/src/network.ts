// The SDK's calls on its networker that a custom `NetworkerLike` may not offer (joinPeer,
// leavePeer, suspend, resume), and how an app-level topic name becomes 32 bytes.
import crypto from 'hypercore-crypto'
import { DatSdkError, toKey, type KeyLike, type Store } from '@dat-sdk/store'
import type { NetworkerLike } from '@dat-sdk/interfaces'

/**
 * The 32-byte topic of an app-level name: hypercore-crypto's `namespace(name, 1)[0]`, that is
 * BLAKE2b-256 of (BLAKE2b-256 of the UTF-8 name) followed by the index 0. It is the same on every
 * peer and every platform, and the same as hyper-sdk 6's `makeTopicKey(name)`, so apps on either
 * SDK meet on one name. A `Uint8Array` is taken as it is (it must be 32 bytes).
 */
export function topicKey(topic: string | Uint8Array): Uint8Array {
  if (typeof topic === 'string') {
    if (topic === '') throw new TypeError('A topic name cannot be empty')
    return crypto.namespace(topic, 1)[0]
  }
  if (topic instanceof Uint8Array && topic.byteLength === 32) return topic
  throw new DatSdkError('INVALID_KEY', 'A topic is a name (string) or 32 bytes')
}

type Optional = 'joinPeer' | 'leavePeer' | 'suspend' | 'resume'

/** The networker, typed as having `method`; `NOT_SUPPORTED` when a custom one lacks it. */
export function offering<K extends Optional>(
  networker: NetworkerLike,
  method: K,
): NetworkerLike & Required<Pick<NetworkerLike, K>> {
  if (!offers(networker, method)) {
    throw new DatSdkError('NOT_SUPPORTED', `The SDK's networker has no ${method}()`)
  }
  return networker
}

function offers<K extends Optional>(
  networker: NetworkerLike,
  method: K,
): networker is NetworkerLike & Required<Pick<NetworkerLike, K>> {
  return typeof networker[method] === 'function'
}

/** `joinPeer` / `leavePeer` with the key checked first (`INVALID_KEY`). */
export async function peerCall(
  networker: NetworkerLike,
  method: 'joinPeer' | 'leavePeer',
  publicKey: KeyLike,
): Promise<void> {
  const key = toKey(publicKey)
  await offering(networker, method)[method](key)
}

/**
 * Pauses the network (every connection closed, lookups paused), then flushes storage and lets
 * its files go (Corestore's `suspend()`, which mobile platforms ask of a background app).
 */
export async function suspendAll(networker: NetworkerLike, store: Store): Promise<void> {
  await offering(networker, 'suspend').suspend()
  await store.suspend()
}

/** Brings storage back first, then the network, so replication finds its cores open. */
export async function resumeAll(networker: NetworkerLike, store: Store): Promise<void> {
  const net = offering(networker, 'resume')
  await store.resume()
  await net.resume()
}
