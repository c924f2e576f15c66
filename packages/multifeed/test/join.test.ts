import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { Store } from '@dat-sdk/store'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'
import { Multifeed } from '@dat-sdk/multifeed'

const test = suite('multifeed: join(networker) on a loopback testnet')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

const hex = (key: Uint8Array | null) => b4a.toString(key!, 'hex')

function node(t: Teardown) {
  const store = t.add(new Store(t.tmpDir()))
  const networker = t.add(new Networker(store, { bootstrap: testnet.bootstrap }))
  return { store, networker }
}

// Every extension-error any multifeed here reports: a well-behaved swarm gives none.
const reported: Error[] = []

function multifeed(t: Teardown, store: Store, encryptionKey?: Uint8Array): Multifeed<string> {
  const m = t.add(new Multifeed<string>(store, { valueEncoding: 'utf-8', encryptionKey }))
  m.on('extension-error', (err: Error) => reported.push(err))
  return m
}

test('two lines make a multi-writer app over the swarm, live', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    const ma = multifeed(t, a.store)
    const mb = multifeed(t, b.store)
    const wa = await ma.writer('alice')
    await wa.append('hello from alice')
    const wb = await mb.writer('bob')
    await wb.append('hello from bob')

    await ma.join(a.networker)
    await mb.join(b.networker)

    await eventually(() => ma.feed(wb.key!) && mb.feed(wa.key!), { timeout: 30_000 })
    assert.is(await ma.feed(wb.key!)!.get(0, { timeout: 10_000 }), 'hello from bob')
    assert.is(await mb.feed(wa.key!)!.get(0, { timeout: 10_000 }), 'hello from alice')

    // live: later blocks and later writers arrive on the same connection
    await wa.append('again')
    await eventually(() => mb.feed(wa.key!)!.contiguousLength === 2, { timeout: 15_000 })
    const carol = await mb.writer('carol')
    await carol.append('hi, I am new')
    await eventually(() => ma.feed(carol.key!), { timeout: 15_000 })
    assert.is(await ma.feed(carol.key!)!.get(0, { timeout: 10_000 }), 'hi, I am new')
    assert.is(a.networker.peers.length, 1, 'one connection carries it all')
    assert.equal(reported, [])

    // closing leaves the topic and the exchange, not the networker's connection
    assert.ok(a.networker.joined(ma.discoveryKey))
    await ma.close()
    assert.not.ok(a.networker.joined(ma.discoveryKey))
    assert.is(a.networker.peers.length, 1)
  } finally {
    await t.run()
  }
})

test('multifeeds with different root keys share connections, never feeds', async () => {
  const t = teardown()
  try {
    const secret = crypto.randomBytes(32)
    const a = node(t)
    const b = node(t)
    const publicA = multifeed(t, a.store.namespace('public'))
    const secretA = multifeed(t, a.store.namespace('secret'), secret)
    const loneA = multifeed(t, a.store.namespace('lone'), crypto.randomBytes(32))
    const publicB = multifeed(t, b.store.namespace('public'))
    const secretB = multifeed(t, b.store.namespace('secret'), secret)
    const pa = await publicA.writer()
    const sa = await secretA.writer()
    const pb = await publicB.writer()
    const sb = await secretB.writer()
    for (const w of [pa, sa, pb, sb]) await w.append('x')
    await loneA.writer()

    for (const m of [publicA, secretA, loneA]) await m.join(a.networker)
    for (const m of [publicB, secretB]) await m.join(b.networker)

    await eventually(() => publicA.feed(pb.key!) && secretA.feed(sb.key!), { timeout: 30_000 })
    await eventually(() => publicB.feed(pa.key!) && secretB.feed(sa.key!), { timeout: 30_000 })
    assert.equal(
      publicA.feeds().map((f) => hex(f.key)),
      [hex(pa.key), hex(pb.key)],
    )
    assert.equal(
      secretB.feeds().map((f) => hex(f.key)),
      [hex(sb.key), hex(sa.key)],
    )
    assert.is(loneA.feeds().length, 1, 'a root key nobody else has gets nothing, and no error')
    assert.is(a.networker.peers.length, 1)
    assert.equal(reported, [])
  } finally {
    await t.run()
  }
})

test.run()
