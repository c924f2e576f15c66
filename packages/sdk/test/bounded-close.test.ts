// sdk.close() is bounded: with the DHT gone (and with every peer gone too) it resolves within 2 s
// instead of waiting for unannounces to time out (issue 14).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createSDK, type SDK } from '@dat-sdk/sdk'
import { createTestnet, eventually, teardown, type Teardown } from '@dat-sdk/test-utils'

const test = suite('sdk: bounded close')

/** Two SDKs on a fresh testnet sharing a core, a drive, a multifeed and a gossip set. */
async function busyPair(t: Teardown) {
  const testnet = await createTestnet(3)
  t.add(() => testnet.destroy())
  const open = async () =>
    t.add(await createSDK({ storage: t.tmpDir('bounded-close'), bootstrap: testnet.bootstrap }))
  const a = await open()
  const b = await open()
  const core = a.Hypercore<string>('log', { valueEncoding: 'utf-8' })
  await core.append('one')
  const drive = a.Hyperdrive('site')
  await drive.put('/a.txt', 'a')
  const multi = a.Multifeed('chat')
  await (await multi.writer('me')).append(Buffer.from('hi'))
  a.Gossip()
  b.Gossip()
  await a.flush()
  const copy = b.Hypercore<string>(core.url!, { valueEncoding: 'utf-8' })
  const driveCopy = b.Hyperdrive(drive.url!)
  b.Multifeed('chat')
  assert.is(await copy.get(0), 'one')
  assert.is((await driveCopy.get('/a.txt'))!.toString(), 'a')
  await eventually(() => a.networker.peers.length === 1)
  return { testnet, a, b }
}

async function timedClose(sdk: SDK, what: string): Promise<number> {
  const started = Date.now()
  await sdk.close()
  const ms = Date.now() - started
  console.log(`sdk.close() ${what}: ${ms} ms`)
  return ms
}

test('close() resolves within 2 s after the DHT went away', async () => {
  const t = teardown()
  try {
    const { testnet, a } = await busyPair(t)
    await testnet.destroy()
    const ms = await timedClose(a, 'after the DHT went away')
    assert.ok(ms < 2000, `sdk.close() took ${ms} ms`)
    assert.ok(a.closed)
  } finally {
    await t.run()
  }
})

test('close() resolves within 2 s after the DHT and every peer went away', async () => {
  const t = teardown()
  try {
    const { testnet, a, b } = await busyPair(t)
    await b.close()
    await eventually(() => a.networker.peers.length === 0)
    await testnet.destroy()
    const ms = await timedClose(a, 'after the DHT and its peer went away')
    assert.ok(ms < 2000, `sdk.close() took ${ms} ms`)
  } finally {
    await t.run()
  }
})

test.run()
