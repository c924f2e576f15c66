// Replication through the networker on a loopback testnet (ported from the original networker's suite).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import Corestore from 'corestore'
import HyperDHT from 'hyperdht'
import { Store } from '@dat-sdk/store'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const test = suite('networker: replication')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

function node(t: Teardown, opts: ConstructorParameters<typeof Networker>[1] = {}) {
  const store = t.add(Store.temp())
  const networker = t.add(new Networker(store, { bootstrap: testnet.bootstrap, ...opts }))
  return { store, networker }
}

async function writer(store: Store, name: string, blocks: string[]) {
  const core = store.get({ name })
  await core.ready()
  if (blocks.length) await core.append(blocks.map((b) => b4a.from(b)))
  return core
}

async function read(store: Store, key: Uint8Array, index: number): Promise<string> {
  const core = store.get(key)
  return b4a.toString((await core.get(index, { timeout: 15_000 }))!)
}

test('replicates one core', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    const core = await writer(a.store, 'one', ['hello', 'world'])
    await a.networker.configure(core.discoveryKey!, { announce: true, lookup: false })

    const clone = b.store.get(core.key!)
    await clone.ready()
    const done = clone.findingPeers()
    await b.networker.configure(clone.discoveryKey!, { announce: false, lookup: true })
    done()
    await clone.update({ wait: true })
    assert.is(clone.length, 2)
    assert.is(b4a.toString((await clone.get(0))!), 'hello')
    assert.is(b4a.toString((await clone.get(1))!), 'world')
  } finally {
    await t.run()
  }
})

test('replicates several cores over one connection', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    const cores = await Promise.all(
      ['x', 'y', 'z'].map((n) => writer(a.store, n, [`block of ${n}`])),
    )
    for (const core of cores) await a.networker.configure(core.discoveryKey!)
    for (const core of cores) await b.networker.configure(core.discoveryKey!)

    for (const [i, core] of cores.entries()) {
      assert.is(await read(b.store, core.key!, 0), `block of ${'xyz'[i]}`)
    }
    assert.is(a.networker.peers.length, 1)
    assert.is(b.networker.peers.length, 1)
  } finally {
    await t.run()
  }
})

test('several readers of one core all get it', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const readers = [node(t), node(t), node(t)]
    const core = await writer(a.store, 'shared', ['one', 'two', 'three'])
    await a.networker.configure(core.discoveryKey!)
    await Promise.all(readers.map((r) => r.networker.configure(core.discoveryKey!)))

    for (const r of readers) {
      assert.is(await read(r.store, core.key!, 2), 'three')
      assert.is(await read(r.store, core.key!, 0), 'one')
    }
    await eventually(() => a.networker.peers.length === 3, { timeout: 15_000 })
  } finally {
    await t.run()
  }
})

test('a core opened later replicates over the existing connection without a new configure', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    const first = await writer(a.store, 'first', ['1'])
    await a.networker.configure(first.discoveryKey!)
    await b.networker.configure(first.discoveryKey!)
    assert.is(b.networker.peers.length, 1)

    const later = await writer(a.store, 'later', ['opened', 'later'])
    assert.is(await read(b.store, later.key!, 1), 'later')
    assert.ok(!b.networker.joined(later.discoveryKey!), 'no configure was needed')
  } finally {
    await t.run()
  }
})

test("a custom key pair is the remote's remotePublicKey", async () => {
  const t = teardown()
  try {
    const keyPair = HyperDHT.keyPair()
    const a = node(t, { keyPair })
    const b = node(t)
    assert.equal(a.networker.publicKey, keyPair.publicKey)
    assert.equal(a.networker.keyPair.publicKey, keyPair.publicKey)

    const core = await writer(a.store, 'k', ['k'])
    await a.networker.configure(core.discoveryKey!)
    await b.networker.configure(core.discoveryKey!)
    assert.is(b.networker.peers.length, 1)
    assert.equal(b.networker.peers[0].remotePublicKey, keyPair.publicKey)
    assert.equal(a.networker.peers[0].remotePublicKey, b.networker.publicKey)
  } finally {
    await t.run()
  }
})

test('peers carry the loopback address, the transport and the stream', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    const core = await writer(a.store, 'addr', ['a'])
    await a.networker.configure(core.discoveryKey!, { lookup: false })
    await b.networker.configure(core.discoveryKey!, { announce: false })
    const [peer] = b.networker.peers
    assert.match(peer.remoteAddress ?? '', /^127\.0\.0\.1:\d+$/)
    assert.is(peer.type, 'udx')
    assert.is(peer.client, true)
    assert.is(a.networker.peers[0].client, false)
    assert.is(typeof peer.stream.write, 'function')
  } finally {
    await t.run()
  }
})

test('works with a plain Corestore and a swarm it was given, which it does not destroy', async () => {
  const t = teardown()
  try {
    const corestore = t.add(new Corestore(t.tmpDir('plain')))
    const swarm = testnet.swarm()
    t.add(() => swarm.destroy())
    const given = t.add(new Networker(corestore, { swarm }))
    const b = node(t)

    const core = corestore.get({ name: 'plain' })
    await core.ready()
    await core.append(b4a.from('from a plain corestore'))
    await given.configure(core.discoveryKey!)
    await b.networker.configure(core.discoveryKey!)
    assert.is(await read(b.store, core.key!, 0), 'from a plain corestore')

    await given.close()
    assert.is(swarm.destroyed, false)
    await eventually(() => b.networker.peers.length === 0, { timeout: 15_000 })
  } finally {
    await t.run()
  }
})

test.run()
