// joinPeer / leavePeer and suspend / resume on Hyperswarm, on a loopback testnet.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store } from '@dat-sdk/store'
import {
  assertRejectsCode,
  assertThrowsCode,
  createTestnet,
  eventually,
  MemorySwarmNetwork,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const test = suite('networker: joinPeer, suspend, resume')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

function node(t: Teardown) {
  const store = t.add(Store.temp())
  const networker = t.add(new Networker(store, { bootstrap: testnet.bootstrap }))
  return { store, networker }
}

test('joinPeer connects to a known peer with no topic, once per remote key', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    await b.networker.listen()
    a.networker.joinPeer(b.networker.publicKey)
    // Both sides joining each other still gives one connection.
    b.networker.joinPeer(a.networker.publicKey)
    await eventually(() => a.networker.peers.length === 1 && b.networker.peers.length === 1, {
      timeout: 15_000,
      message: 'a and b to connect',
    })
    assert.ok(b4a.equals(a.networker.peers[0].remotePublicKey, b.networker.publicKey))
    assert.ok(a.networker.joinedPeer(b.networker.publicKey))
    assert.not.ok(a.networker.joined(b.networker.publicKey), 'no topic was joined')

    // A core replicates over that connection.
    const core = a.store.get({ name: 'direct' })
    await core.append(b4a.from('hello'))
    const clone = b.store.get(core.key!)
    assert.is(b4a.toString((await clone.get(0, { timeout: 10_000 }))!), 'hello')

    a.networker.leavePeer(b.networker.publicKey)
    b.networker.leavePeer(a.networker.publicKey)
    assert.not.ok(a.networker.joinedPeer(b.networker.publicKey))
    assert.is(a.networker.peers.length, 1, 'leavePeer does not cut an open connection')
  } finally {
    await t.run()
  }
})

test('after suspend() and resume(), a core opened before replicates a live append', async () => {
  const t = teardown()
  try {
    const a = node(t)
    const b = node(t)
    const core = a.store.get({ name: 'live' })
    await core.append(b4a.from('before'))
    await a.networker.configure(core.discoveryKey!, { announce: true, lookup: false })

    const clone = b.store.get(core.key!)
    await clone.ready()
    await b.networker.configure(clone.discoveryKey!, { announce: false, lookup: true })
    assert.is(b4a.toString((await clone.get(0, { timeout: 10_000 }))!), 'before')

    const removed: unknown[] = []
    b.networker.on('peer-remove', (p) => removed.push(p))
    await b.networker.suspend()
    assert.ok(b.networker.suspended)
    assert.is(b.networker.peers.length, 0, 'suspend closes every connection')
    assert.is(removed.length, 1)
    await eventually(() => a.networker.peers.length === 0, { message: 'a to see b go' })

    await b.networker.resume()
    assert.not.ok(b.networker.suspended)
    await eventually(() => b.networker.peers.length === 1, {
      timeout: 15_000,
      message: 'b to reconnect after resume',
    })
    await core.append(b4a.from('after resume'))
    const block = await clone.get(1, { timeout: 15_000 })
    assert.is(b4a.toString(block!), 'after resume')
  } finally {
    await t.run()
  }
})

test('suspend and resume twice are no-ops; a closed networker rejects them with CLOSED', async () => {
  const t = teardown()
  try {
    const a = node(t)
    await a.networker.suspend()
    await a.networker.suspend()
    await a.networker.resume()
    await a.networker.resume()
    await a.networker.close()
    await assertRejectsCode(a.networker.suspend(), 'CLOSED')
    await assertRejectsCode(a.networker.resume(), 'CLOSED')
    assertThrowsCode(() => a.networker.joinPeer(new Uint8Array(32)), 'CLOSED')
  } finally {
    await t.run()
  }
})

test('on a swarm without them (MemorySwarm), leavePeer / suspend / resume are NOT_SUPPORTED and the networker lives on', async () => {
  const t = teardown()
  const network = new MemorySwarmNetwork()
  try {
    const store = t.add(Store.temp())
    const swarm = network.swarm()
    t.add(() => swarm.destroy())
    const n = t.add(new Networker(store, { swarm }))
    assertThrowsCode(() => n.leavePeer(new Uint8Array(32)), 'NOT_SUPPORTED')
    await assertRejectsCode(n.suspend(), 'NOT_SUPPORTED')
    await assertRejectsCode(n.resume(), 'NOT_SUPPORTED')
    assert.not.ok(n.suspended)
    assertThrowsCode(() => n.joinPeer('not a key'), 'INVALID_KEY')
    await n.configure(new Uint8Array(32).fill(7))
    assert.ok(n.joined(new Uint8Array(32).fill(7)))
  } finally {
    await t.run()
    await network.destroy()
  }
})

test.run()
