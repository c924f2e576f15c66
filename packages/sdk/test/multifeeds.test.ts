// Several multifeeds with one root key on one SDK: each syncs with the peers, and closing one
// leaves neither the topic nor the exchange for the others.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createSDK, type Multifeed, type SDK } from '@dat-sdk/sdk'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'

const test = suite('sdk: two multifeeds with one root key')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

async function sdk(t: Teardown): Promise<SDK> {
  return t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap }))
}

function open(s: SDK, name: string, encryptionKey: Uint8Array): Multifeed<string> {
  return s.Multifeed<string>(name, { valueEncoding: 'utf-8', encryptionKey })
}

/** `m` ends up holding `key`'s feed with at least `length` blocks, the last one `last`. */
async function holds(m: Multifeed<string>, key: Uint8Array, length: number, last: string) {
  await eventually(() => (m.feed(key)?.contiguousLength ?? 0) >= length, { timeout: 30_000 })
  assert.is(await m.feed(key)!.get(length - 1, { timeout: 10_000 }), last)
}

test('both sync with a peer that connects afterwards', async () => {
  const t = teardown()
  try {
    const key = randomBytes(32)
    const a = await sdk(t)
    const one = open(a, 'one', key)
    const two = open(a, 'two', key)
    const w1 = await one.writer()
    await w1.append('from one')
    const w2 = await two.writer()
    await w2.append('from two')
    await a.flush()

    const b = await sdk(t)
    const other = open(b, 'log', key)
    const wb = await other.writer()
    await wb.append('from b')

    await holds(other, w1.key!, 1, 'from one')
    await holds(other, w2.key!, 1, 'from two')
    await holds(one, wb.key!, 1, 'from b')
    await holds(two, wb.key!, 1, 'from b')
  } finally {
    await t.run()
  }
})

test('one joins after the other synced; after it closes, the other syncs with a new peer', async () => {
  const t = teardown()
  try {
    const key = randomBytes(32)
    const a = await sdk(t)
    const one = open(a, 'one', key)
    const w1 = await one.writer()
    await w1.append('from one')
    await a.flush()

    const b = await sdk(t)
    const other = open(b, 'log', key)
    const wb = await other.writer()
    await wb.append('from b')
    await holds(one, wb.key!, 1, 'from b')

    // The connection and its exchange exist already when the second multifeed joins.
    const two = open(a, 'two', key)
    const w2 = await two.writer()
    await w2.append('from two')
    await holds(two, wb.key!, 1, 'from b')
    await holds(other, w2.key!, 1, 'from two')

    await one.close()
    await b.close() // the new peer can only reach `two` through `a`
    await w2.append('after one closed')

    const c = await sdk(t)
    const late = open(c, 'log', key)
    const wc = await late.writer()
    await wc.append('from c')
    await holds(late, w2.key!, 2, 'after one closed')
    await holds(two, wc.key!, 1, 'from c')
    assert.ok(a.networker.peers.length >= 1)
  } finally {
    await t.run()
  }
})

test.run()
