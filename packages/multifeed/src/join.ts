// join(): a multifeed on every connection of a networker, and its hold on the root key's topic.
import type { NetworkPeerLike, NetworkerLike, Topic } from '@dat-sdk/interfaces'

/** A networker a multifeed joined: its peer listener and our hold on the topic. */
export interface Joined {
  onpeer: (peer: NetworkPeerLike) => void
  topic: Topic | null
}

/**
 * Records `networker` in `joined` (at once, before any await), runs `onpeer` on its connections,
 * present and future, and joins `topicKey`, resolving once the topic is announced.
 */
export async function joinNetworker(
  joined: Map<NetworkerLike, Joined>,
  networker: NetworkerLike,
  topicKey: Uint8Array,
  onpeer: (peer: NetworkPeerLike) => void,
): Promise<void> {
  // A handle counts us among the topic's users; a networker without join() has only configure(),
  // whose release on close() leaves the topic for its other users too.
  const topic = networker.join ? networker.join(topicKey) : null
  joined.set(networker, { onpeer, topic })
  networker.on('peer-add', onpeer)
  for (const peer of networker.peers) onpeer(peer)
  if (topic) await topic.flushed()
  else await networker.configure(topicKey, { announce: true, lookup: true })
}

/** Leaves every networker of `joined`, and forgets them. */
export async function leaveNetworkers(
  joined: Map<NetworkerLike, Joined>,
  topicKey: Uint8Array,
): Promise<void> {
  await Promise.allSettled(
    [...joined].map(([networker, { onpeer, topic }]) => {
      networker.off('peer-add', onpeer)
      // Only our own hold: other users of the networker keep the topic.
      if (topic) return topic.destroy()
      return networker.configure(topicKey, { announce: false, lookup: false })
    }),
  )
  joined.clear()
}
