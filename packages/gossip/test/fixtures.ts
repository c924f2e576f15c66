// Fixtures for this package's tests and its benchmark: real Corestores in temp dirs holding the
// same raw hypercore 11 core, linked by in-process replication streams (no network).
import { randomBytes } from 'node:crypto'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { HypercorePeer } from 'hypercore'
import { Networker } from '@dat-sdk/networker'
import {
  eventually,
  once,
  replicatePair,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { EventEmitter } from 'node:events'

// The raw hypercore 11 core of store's declaration, and its peers: a host gossip accepts as is.
export type RawCore = Hypercore<Uint8Array>
export type RawPeer = HypercorePeer

export interface Node {
  store: Corestore
  core: RawCore
}

/** `n` Corestores, each holding the same core (the first one's), none connected yet. */
export async function makeNodes(t: Teardown, n: number): Promise<Node[]> {
  const nodes: Node[] = []
  let key: Uint8Array | null = null
  for (let i = 0; i < n; i++) {
    const dir = t.tmpDir('gossip')
    const store = t.add(new Corestore(dir))
    const core: RawCore = key ? store.get({ key }) : store.get({ name: 'gossip' })
    await core.ready()
    key ??= core.key
    nodes.push({ store, core })
  }
  return nodes
}

/** Replicates two nodes' stores over an in-process stream pair; returns a function that cuts it. */
export function link(
  t: Teardown,
  a: { store: Corestore },
  b: { store: Corestore },
): () => Promise<void> {
  const pair = replicatePair(a.store, b.store)
  // Memoised: a second ReplicatedPair.close() on streamx streams waits for a 'close' already gone.
  let closing: Promise<void> | null = null
  const cut = () => (closing ??= pair.close())
  t.add(cut)
  return cut
}

// The counting host, the dat-gossip shim and the keys are shared with the gossip benchmark, in
// @dat-sdk/test-utils.
export { countingHost, peerOpenShim, key, type Traffic } from '@dat-sdk/test-utils'

export function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex')
}

export function hexList(list: Uint8Array[]): string[] {
  return list.map(hex)
}

/** `n` Networkers on a loopback testnet, each over a Corestore of its own (no core in common). */
export async function makeNetworkers(
  t: Teardown,
  testnet: LoopbackTestnet,
  n: number,
): Promise<Networker[]> {
  const out: Networker[] = []
  for (let i = 0; i < n; i++) {
    const store = t.add(new Corestore(t.tmpDir('gossip-net')))
    out.push(t.add(new Networker(store, { swarm: testnet.swarm() })))
  }
  return out
}

/** A fresh random topic, joined by every networker given; resolves once each sees `peers` peers. */
export async function joinTopic(networkers: Networker[], peers = networkers.length - 1) {
  const topic = randomBytes(32)
  for (const n of networkers) await n.configure(topic)
  await eventually(() => networkers.every((n) => n.peers.length >= peers), { timeout: 20_000 })
  return topic
}

/** A host that can carry a sentinel: a raw hypercore core or a Networker (not a Core, see below). */
export interface SentinelHost<P = never> {
  registerExtension(
    name: string,
    handlers: { encoding: 'binary'; onmessage: (message: Uint8Array, peer: P) => void },
  ): {
    send(message: Uint8Array, peer: P): void
    broadcast(message: Uint8Array): void
    destroy(): void
  }
}

let sentinels = 0

/**
 * The positive sentinel that replaces a sleep before a negative check: a round trip from `from`
 * to `to` and back, on an extension of its own over the same host the gossip uses, so on the
 * same ordered stream. When it resolves, everything `from` sent `to` before asking has arrived
 * and `to` has reacted to it, and everything `to` sent `from` before answering (those reactions
 * included: the answer waits for `to`'s microtasks, which is where gossip flushes) has arrived.
 * Not for a `Core`: it holds messages per extension name until the peer announces that name, so
 * a message on another name can overtake them.
 */
export async function settle<P>(
  from: SentinelHost<P>,
  to: SentinelHost<P>,
  timeout = 15_000,
): Promise<void> {
  const name = `test-sentinel-${++sentinels}`
  const answered = new EventEmitter()
  const asked = from.registerExtension(name, {
    encoding: 'binary',
    onmessage: () => answered.emit('pong'),
  })
  const answering = to.registerExtension(name, {
    encoding: 'binary',
    onmessage: (_message, peer) => setImmediate(() => answering.send(Buffer.from('pong'), peer)),
  })
  try {
    const pong = once(answered, 'pong', timeout)
    // Peers other than `to` have no extension of this name and drop the message.
    asked.broadcast(Buffer.from('ping'))
    await pong
  } finally {
    asked.destroy()
    answering.destroy()
  }
}
