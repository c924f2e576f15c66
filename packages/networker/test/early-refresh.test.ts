// The early refreshes (a joined topic looked up again 1, 4 and 15 s after its flush) run on at
// most 64 topics at once: a process that joins a thousand topics together (a seeder restarting)
// does not look each up three more times, and two such processes still meet.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store } from '@dat-sdk/store'
import {
  MemoryDiscovery,
  MemorySwarm,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const test = suite('networker: early refreshes')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** The cap in swarm-topics.ts. */
const SLOTS = 64

/** A MemorySwarm that counts, per topic, the refreshes the networker asks of its sessions. */
class CountingSwarm extends MemorySwarm {
  readonly refreshes = new Map<string, number>()

  override join(topic: Uint8Array, opts: { server?: boolean; client?: boolean } = {}) {
    const session = super.join(topic, opts)
    const counts = this.refreshes
    const hex = b4a.toString(topic, 'hex')
    const refresh = session.refresh
    session.refresh = function (this: MemoryDiscovery, o = {}) {
      counts.set(hex, (counts.get(hex) ?? 0) + 1)
      return refresh.call(this, o)
    }
    return session
  }

  total(): number {
    let n = 0
    for (const c of this.refreshes.values()) n += c
    return n
  }
}

function counting(t: Teardown): { net: Networker; swarm: CountingSwarm } {
  const swarm = new CountingSwarm()
  const net = t.add(new Networker(t.add(Store.temp()), { swarm }))
  return { net, swarm }
}

test(`a networker that joins 150 topics at once refreshes ${SLOTS} of them early`, async () => {
  const t = teardown()
  try {
    const { net, swarm } = counting(t)
    const topics = Array.from({ length: 150 }, () => randomBytes(32))
    await Promise.all(topics.map((topic) => net.configure(topic)))
    // Every topic flushed together, so their 1 s refreshes all come before the 4 s ones: once
    // the slot holders made both, any topic refreshed early has been.
    await eventually(() => swarm.total() >= 2 * SLOTS, { timeout: 10_000 })
    assert.is(swarm.refreshes.size, SLOTS)
    for (const count of swarm.refreshes.values()) assert.is(count, 2)
  } finally {
    await t.run()
  }
})

test('a topic left gives its slot back: the next topic joined is refreshed early', async () => {
  const t = teardown()
  try {
    const { net, swarm } = counting(t)
    const topics = Array.from({ length: SLOTS }, () => randomBytes(32))
    await Promise.all(topics.map((topic) => net.configure(topic)))
    await Promise.all(
      topics.map((topic) => net.configure(topic, { announce: false, lookup: false })),
    )
    const next = randomBytes(32)
    await net.configure(next)
    const hex = b4a.toString(next, 'hex')
    await eventually(() => swarm.refreshes.get(hex) === 1, { timeout: 5_000 })
  } finally {
    await t.run()
  }
})

test('two networkers that join 100 topics at the same moment still meet (testnet)', async () => {
  const t = teardown()
  try {
    const a = t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
    const b = t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
    const topics = Array.from({ length: 100 }, () => randomBytes(32))
    await Promise.all(topics.flatMap((topic) => [a.configure(topic), b.configure(topic)]))
    await eventually(() => a.peers.length === 1 && b.peers.length === 1, { timeout: 20_000 })
  } finally {
    await t.run()
  }
})

test.run()
