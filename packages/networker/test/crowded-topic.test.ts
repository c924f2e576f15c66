// A topic with more announcers than one DHT reply holds (issue 21): HyperDHT's nodes answer a
// lookup with at most 20 of the peers they hold, picked at random, so each lookup finds a sample.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const test = suite('networker: a crowded topic')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** Peers on the topic: twice the 20 a DHT node puts in one lookup reply. */
const N = 40
/**
 * The bound on a full mesh, from the join. Without looking again at once on a crowded topic, the
 * lookups come at the schedule's 1 s and 4 s refreshes (both behind a lookup of up to seconds):
 * after those two, about 3 of the 780 pairs of 40 peers are still unmet (each DHT node gave half
 * of the 40), so the mesh waits for the 15 s refresh, 20 s or more after the join. Measured with
 * the eager lookups: 3 to 5 s on a quiet machine.
 */
const BOUND = 12_000

test(`${N} networkers that join one topic at the same moment all connect within ${BOUND / 1000} s`, async () => {
  const t = teardown()
  try {
    const nets = Array.from({ length: N }, () =>
      t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap })),
    )
    const topic = randomBytes(32)
    const started = Date.now()
    for (const net of nets) net.join(topic, { announce: true, lookup: true })
    await eventually(() => nets.every((net) => net.peers.length === N - 1), {
      timeout: BOUND,
    }).catch(() => {
      const missing = nets.reduce((sum, net) => sum + (N - 1 - net.peers.length), 0) / 2
      assert.unreachable(`${missing} of ${(N * (N - 1)) / 2} pairs unconnected after ${BOUND} ms`)
    })
    console.log(`full mesh of ${N} networkers in ${Date.now() - started} ms`)
  } finally {
    await t.run()
  }
})

test.run()
