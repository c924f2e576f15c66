// Peers, topics, flushing and the lifecycle of a networker.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import Hyperswarm from 'hyperswarm'
import { Store, isDatSdkError } from '@dat-sdk/store'
import {
  MemorySwarm,
  MemorySwarmNetwork,
  createTestnet,
  eventually,
  once,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('networker: peers and topics')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

function onTestnet(t: Teardown): Networker {
  return t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
}

function inMemory(t: Teardown, network: MemorySwarmNetwork, swarm?: MemorySwarm): Networker {
  return t.add(new Networker(t.add(Store.temp()), { swarm: swarm ?? network.swarm() }))
}

const hex = (key: Uint8Array) => b4a.toString(key, 'hex')

test("'peer-add' and 'peer-remove' come in order with the right counts as three peers come and go", async () => {
  const t = teardown()
  try {
    const topic = randomBytes(32)
    const hub = onTestnet(t)
    const log: string[] = []
    const counts: number[] = []
    hub.on('peer-add', (peer: NetworkPeer) => {
      log.push('add ' + hex(peer.remotePublicKey))
      counts.push(hub.peers.length)
    })
    hub.on('peer-remove', (peer: NetworkPeer) => {
      log.push('remove ' + hex(peer.remotePublicKey))
      counts.push(hub.peers.length)
    })
    await hub.configure(topic, { announce: true, lookup: false })

    const others: Networker[] = []
    for (let i = 0; i < 3; i++) {
      const other = onTestnet(t)
      await other.configure(topic, { announce: false, lookup: true })
      await eventually(() => hub.peers.length === i + 1, { timeout: 15_000 })
      others.push(other)
    }
    for (const other of others) await other.close()
    await eventually(() => hub.peers.length === 0, { timeout: 15_000 })

    assert.equal(log, [
      ...others.map((o) => 'add ' + hex(o.publicKey)),
      ...others.map((o) => 'remove ' + hex(o.publicKey)),
    ])
    assert.equal(counts, [1, 2, 3, 2, 1, 0])
  } finally {
    await t.run()
  }
})

test('two peers that share five topics have exactly one connection', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    let adds = 0
    a.on('peer-add', () => adds++)
    b.on('peer-add', () => adds++)
    const topics = Array.from({ length: 5 }, () => randomBytes(32))
    await Promise.all(topics.map((topic) => a.configure(topic)))
    await Promise.all(topics.map((topic) => b.configure(topic)))
    await Promise.all(topics.map((topic) => a.configure(topic)))
    assert.is(a.peers.length, 1)
    assert.is(b.peers.length, 1)
    assert.is(adds, 2)
    for (const topic of topics) assert.ok(a.joined(topic) && b.joined(topic))
  } finally {
    await t.run()
  }
})

test('two networkers that configure a topic at the same moment still meet (testnet)', async () => {
  const t = teardown()
  try {
    // Both look the topic up before either announcement is stored; without an early refresh
    // Hyperswarm would only look again ten minutes later.
    const a = onTestnet(t)
    const b = onTestnet(t)
    const topic = randomBytes(32)
    await Promise.all([a.configure(topic), b.configure(topic)])
    await eventually(() => a.peers.length === 1 && b.peers.length === 1, { timeout: 15_000 })
  } finally {
    await t.run()
  }
})

test('flushed() turns true only once the connections found have shaken hands', async () => {
  const t = teardown()
  try {
    // This MemorySwarm emits connections and flushes 200 ms before the Noise handshake can end,
    // so only a networker that waits for the handshakes passes.
    const network = new MemorySwarmNetwork({ latency: 200 })
    t.add(network)
    const a = inMemory(t, network)
    const b = inMemory(t, network)
    const topic = randomBytes(32)
    await a.configure(topic, { announce: true, lookup: false })
    assert.ok(a.flushed(topic))

    const configuring = b.configure(topic, { announce: false, lookup: true })
    assert.is(b.flushed(topic), false)
    assert.ok(b.joined(topic))
    await configuring
    assert.ok(b.flushed(topic))
    assert.is(b.peers.length, 1)
    assert.equal(b.peers[0].remotePublicKey, a.publicKey)
  } finally {
    await t.run()
  }
})

test('flushed() on a testnet: false while looking up, true after with the announcer connected', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    const topic = randomBytes(32)
    await a.configure(topic, { announce: true, lookup: false })
    const configuring = b.configure(topic, { announce: false, lookup: true })
    assert.is(b.flushed(topic), false)
    await configuring
    assert.ok(b.flushed(topic))
    assert.is(b.peers.length, 1)
    assert.ok(await b.peers[0].stream.opened)
  } finally {
    await t.run()
  }
})

test("configure({ flush: false }) resolves before the flush; 'flushed' follows", async () => {
  const t = teardown()
  try {
    const network = new MemorySwarmNetwork()
    t.add(network)
    const a = inMemory(t, network)
    const topic = randomBytes(32)
    const flushed = once<[Uint8Array]>(a, 'flushed')
    await a.configure(topic, { flush: false })
    assert.is(a.flushed(topic), false)
    const [key] = await flushed
    assert.equal(key, topic)
    assert.ok(a.flushed(topic))
  } finally {
    await t.run()
  }
})

test('announce and lookup both false leave the topic: a later lookup does not find us', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const topic = randomBytes(32)
    assert.is(a.joined(topic), false)
    await a.configure(topic, { announce: true, lookup: false })
    assert.ok(a.joined(topic))
    await a.configure(topic, { announce: false, lookup: false })
    assert.is(a.joined(topic), false)
    assert.is(a.flushed(topic), false)

    const b = onTestnet(t)
    await b.configure(topic, { announce: false, lookup: true })
    assert.is(b.peers.length, 0)
    assert.is(a.peers.length, 0)
  } finally {
    await t.run()
  }
})

test('configure() again with other options changes how the topic is joined', async () => {
  const t = teardown()
  try {
    const network = new MemorySwarmNetwork()
    t.add(network)
    const a = inMemory(t, network)
    const b = inMemory(t, network)
    const topic = randomBytes(32)
    await a.configure(topic, { announce: false, lookup: true })
    await b.configure(topic, { announce: false, lookup: true })
    assert.is(a.peers.length, 0, 'two lookups do not meet')
    await a.configure(topic.toString('hex'), { announce: true, lookup: false })
    await eventually(() => a.peers.length === 1 && b.peers.length === 1)
    assert.ok(a.joined(topic))
  } finally {
    await t.run()
  }
})

test('a bad discovery key is INVALID_KEY', async () => {
  const t = teardown()
  try {
    const a = inMemory(t, t.add(new MemorySwarmNetwork()))
    for (const bad of [randomBytes(31), 'not a key']) {
      try {
        await a.configure(bad)
        assert.unreachable('should have thrown')
      } catch (err) {
        assert.ok(isDatSdkError(err, 'INVALID_KEY'), String(err))
      }
    }
  } finally {
    await t.run()
  }
})

test('a connection to ourselves is dropped', async () => {
  const t = teardown()
  try {
    const network = new MemorySwarmNetwork()
    t.add(network)
    const mine = network.swarm()
    const twin = network.swarm({ keyPair: mine.keyPair })
    const a = inMemory(t, network, mine)
    let added = 0
    a.on('peer-add', () => added++)
    const socket = twin.connect(mine)
    await eventually(() => socket.destroyed)
    assert.is(added, 0)
    assert.is(a.peers.length, 0)
  } finally {
    await t.run()
  }
})

test('a second connection to a peer is dropped and both ends keep the same one', async () => {
  const t = teardown()
  try {
    const network = new MemorySwarmNetwork()
    t.add(network)
    const sa = network.swarm()
    const sb = network.swarm()
    const a = inMemory(t, network, sa)
    const b = inMemory(t, network, sb)
    const removed: NetworkPeer[] = []
    a.on('peer-remove', (peer: NetworkPeer) => removed.push(peer))
    b.on('peer-remove', (peer: NetworkPeer) => removed.push(peer))

    sa.connect(sb)
    await eventually(() => a.peers.length === 1 && b.peers.length === 1)
    sb.connect(sa) // the other way round
    sa.connect(sb) // and once more the first way
    await eventually(() => sa.connections.size === 1 && sb.connections.size === 1)
    await eventually(() => a.peers.length === 1 && b.peers.length === 1)

    // The connection each end kept, found among its swarm's own (typed) connections.
    const kept = (swarm: MemorySwarm, n: Networker) => {
      const socket = [...swarm.connections].find((s) => s === n.peers[0].stream)
      if (!socket) throw new Error("the peer's stream is not a connection of its swarm")
      return socket.handshakeHash
    }
    assert.ok(kept(sa, a))
    assert.equal(kept(sa, a), kept(sb, b), 'both ends kept the two ends of one connection')
    for (const peer of removed) assert.ok(!a.peers.includes(peer) && !b.peers.includes(peer))
  } finally {
    await t.run()
  }
})

test('close() twice is fine; afterwards calls are CLOSED', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    await a.configure(randomBytes(32))
    await Promise.all([a.close(), a.close()])
    await a.close()
    assert.ok(a.closed)
    try {
      await a.configure(randomBytes(32))
      assert.unreachable('configure after close')
    } catch (err) {
      assert.ok(isDatSdkError(err, 'CLOSED'), String(err))
    }
    assert.throws(
      () => a.registerExtension('x'),
      (err: unknown) => isDatSdkError(err, 'CLOSED'),
    )
    try {
      await a.listen()
      assert.unreachable('listen after close')
    } catch (err) {
      assert.ok(isDatSdkError(err, 'CLOSED'), String(err))
    }
  } finally {
    await t.run()
  }
})

test('close() ends every connection and destroys the swarm it made, not one it was given', async () => {
  const t = teardown()
  try {
    const owned = onTestnet(t)
    const swarm = testnet.swarm()
    t.add(() => swarm.destroy())
    const given = t.add(new Networker(t.add(Store.temp()), { swarm }))
    const hub = onTestnet(t)
    const topic = randomBytes(32)
    await hub.configure(topic)
    await owned.configure(topic)
    await given.configure(topic)
    await eventually(() => hub.peers.length === 2, { timeout: 15_000 })

    await owned.close()
    assert.is(owned.peers.length, 0)
    assert.ok(owned.swarm instanceof Hyperswarm && owned.swarm.destroyed)
    await given.close()
    assert.is(given.peers.length, 0)
    assert.is(swarm.destroyed, false)
    assert.is(given.joined(topic), false)
    await eventually(() => hub.peers.length === 0, { timeout: 15_000 })
  } finally {
    await t.run()
  }
})

test('listen() starts accepting connections', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    await a.listen()
    await a.listen()
    assert.ok(a.swarm instanceof Hyperswarm && a.swarm.listening)
  } finally {
    await t.run()
  }
})

test.run()
