// Fixtures for this package's tests only (the shared helpers come from @dat-sdk/test-utils).
import type { Duplex } from 'node:stream'
import { Store, type HypercoreOptions } from '@dat-sdk/store'
import { replicatePair, createTestnet, type Teardown } from '@dat-sdk/test-utils'
import { Core, type CoreOptions } from '@dat-sdk/core-wrapper'

export interface CorePair {
  storeA: Store
  storeB: Store
  /** The writer (named core 'x' in store A). */
  a: Core
  /** A reader of the same key in store B. */
  b: Core
}

/** A writable core with `blocks` blocks in one store and a reader of it in another, not yet connected. */
export async function corePair(
  t: Teardown,
  opts: {
    a?: CoreOptions & HypercoreOptions
    b?: CoreOptions & HypercoreOptions
    blocks?: string[]
  } = {},
): Promise<CorePair> {
  const storeA = t.add(Store.temp())
  const storeB = t.add(Store.temp())
  const a = t.add(Core.from(storeA, { name: 'x' }, opts.a))
  await a.ready()
  if (opts.blocks?.length) await a.append(opts.blocks.map((s) => Buffer.from(s)))
  const b = t.add(Core.from(storeB, a.key, opts.b))
  await b.ready()
  return { storeA, storeB, a, b }
}

/** Connects the two stores with in-process streams, closed on teardown; returns a disconnect. */
export function connectPair(t: Teardown, pair: CorePair): () => Promise<void> {
  const streams = replicatePair(pair.storeA, pair.storeB)
  const close = () => streams.close()
  t.add(close)
  return close
}

/** Connects the two stores through two Hyperswarms on a loopback testnet; closed on teardown. */
export async function connectSwarm(t: Teardown, pair: CorePair): Promise<void> {
  const testnet = await createTestnet(3)
  t.add(() => testnet.destroy())
  const swarmA = testnet.swarm()
  const swarmB = testnet.swarm()
  swarmA.on('connection', (conn) => pair.storeA.replicate(conn))
  swarmB.on('connection', (conn) => pair.storeB.replicate(conn))
  const topic = pair.a.discoveryKey!
  await swarmA.join(topic, { server: true, client: false }).flushed()
  swarmB.join(topic, { server: false, client: true })
}

/** Collects what a handler receives. */
export function collector<A extends unknown[]>(): { calls: A[]; fn: (...args: A) => void } {
  const calls: A[] = []
  return { calls, fn: (...args: A) => void calls.push(args) }
}
