// Hostile peers at volume: a peer gossips 1,000,000 keys (in messages under the size cap) to a
// Gossip on a Networker, while the receiver keeps answering an honest third peer.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Gossip } from '@dat-sdk/gossip'
import { makeNetworkers, joinTopic, key } from './fixtures.js'

const test = suite('gossip: a peer pushing 1,000,000 keys')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

const TOTAL = 1_000_000
const PER_MESSAGE = 10_000 // 660 KB of JSON: under the 1 MiB message cap
const MAX_KEYS = 10_000

test('the receiver stays at maxKeys, reports once per message, and still answers an honest peer', async () => {
  const t = teardown()
  try {
    const [receiverNet, hostileNet, honestNet] = await makeNetworkers(t, testnet, 3)
    const receiver = t.add(new Gossip(receiverNet, { maxKeys: MAX_KEYS }))
    const honest = t.add(new Gossip(honestNet))
    const errors: Array<{ code: string }> = []
    receiver.on('extension-error', (err) => errors.push(err))
    // The hostile side speaks the wire directly: JSON { keys: [hex, ...] } on dat-gossip@1.
    const raw = hostileNet.registerExtension('dat-gossip@1')
    await joinTopic([receiverNet, hostileNet, honestNet])
    const target = hostileNet.peers.find((p) =>
      Buffer.from(p.remotePublicKey).equals(receiverNet.publicKey),
    )!

    const heapBefore = process.memoryUsage().heapUsed
    let heapPeak = heapBefore
    const messages = TOTAL / PER_MESSAGE
    const started = Date.now()
    for (let m = 0; m < messages; m++) {
      const keys: string[] = []
      for (let i = 0; i < PER_MESSAGE; i++) keys.push(randomBytes(32).toString('hex'))
      raw.send(Buffer.from(JSON.stringify({ keys })), target)
      if (m === messages / 2) receiver.advertise(key('mine')) // never dropped for a remote's
      // Let the socket drain now and then, as a real sender's would.
      if (m % 10 === 9) {
        await new Promise((resolve) => setImmediate(resolve))
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
      }
    }
    const rejected = messages - MAX_KEYS / PER_MESSAGE
    await eventually(() => errors.length >= rejected, { timeout: 60_000 })
    await eventually(() => honest.has(key('mine')), { timeout: 20_000 })
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
    console.log(
      `${TOTAL} keys in ${messages} messages, ${Date.now() - started} ms; receiver holds ` +
        `${receiver.list().length}; ${errors.length} reports; heap peak +` +
        `${((heapPeak - heapBefore) / 1048576).toFixed(1)} MiB`,
    )
    assert.ok(receiver.list().length <= MAX_KEYS)
    assert.ok(errors.every((e) => e.code === 'TOO_MANY_KEYS'))
    assert.ok(errors.length <= messages, 'one report per message at most, not one per key')
  } finally {
    await t.run()
  }
})

test.run()
