// close() is bounded: when the DHT or every peer has gone, leaving topics is best effort and
// close() resolves within 2 s instead of waiting for the DHT's timeouts (issue 14).
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const test = suite('networker: bounded close')

/** Two networkers on the testnet, connected through one topic both announce and look up. */
async function connectedPair(t: Teardown, testnet: LoopbackTestnet) {
  const topic = randomBytes(32)
  const a = t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
  const b = t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
  await a.configure(topic, { announce: true, lookup: true })
  await b.configure(topic, { announce: true, lookup: true })
  await eventually(() => a.peers.length === 1 && b.peers.length === 1)
  return { a, b }
}

test('close() resolves within 2 s after the DHT went away (topics announced and looked up)', async () => {
  const t = teardown()
  const testnet = await createTestnet(3)
  t.add(() => testnet.destroy())
  try {
    const { a } = await connectedPair(t, testnet)

    await testnet.destroy() // the DHT is gone; the peers' connection still stands
    const started = Date.now()
    await a.close()
    const ms = Date.now() - started
    console.log(`networker close() after the DHT went away: ${ms} ms`)
    assert.ok(ms < 2000, `close() took ${ms} ms`)
    assert.ok(a.closed)
  } finally {
    await t.run()
  }
})

test('close() resolves within 2 s after the DHT and every peer went away', async () => {
  const t = teardown()
  const testnet = await createTestnet(3)
  t.add(() => testnet.destroy())
  try {
    const { a, b } = await connectedPair(t, testnet)

    await b.close()
    await eventually(() => a.peers.length === 0)
    await testnet.destroy()
    const started = Date.now()
    await a.close()
    const ms = Date.now() - started
    console.log(`networker close() after the DHT and its peer went away: ${ms} ms`)
    assert.ok(ms < 2000, `close() took ${ms} ms`)
  } finally {
    await t.run()
  }
})

test.run()
