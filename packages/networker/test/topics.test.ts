// Topic handles: several users of one topic, counted; the topic is left with the last of them.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import {
  assertRejectsCode,
  assertThrowsCode,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker, TopicSet, withTopicHandles, type TopicMode } from '@dat-sdk/networker'
import type { NetworkerLike } from '@dat-sdk/interfaces'

const test = suite('networker: topic handles')
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

/** A fresh networker that looks `topic` up must connect to `hub`. */
async function newPeerFinds(t: Teardown, hub: Networker, topic: Uint8Array): Promise<void> {
  const seeker = onTestnet(t)
  const before = hub.peers.length
  const handle = seeker.join(topic, { announce: false, lookup: true })
  await handle.flushed()
  await eventually(() => seeker.peers.length === 1 && hub.peers.length === before + 1, {
    timeout: 15_000,
  })
  assert.equal(seeker.peers[0].remotePublicKey, hub.publicKey)
}

test('two handles on one topic: one leaves, a peer that looks the topic up later still connects', async () => {
  const t = teardown()
  try {
    const hub = onTestnet(t)
    const topic = randomBytes(32)
    const first = hub.join(topic, { announce: true, lookup: false })
    const second = hub.join(topic, { announce: true, lookup: false })
    await Promise.all([first.flushed(), second.flushed()])
    await first.destroy()
    assert.ok(hub.joined(topic), 'the second handle still holds the topic')
    await newPeerFinds(t, hub, topic)
    await second.destroy()
    assert.is(hub.joined(topic), false, 'the last handle left the topic')
  } finally {
    await t.run()
  }
})

test('many topics joined together share the swarm flushes, and each still waits for one that began after it', async () => {
  const t = teardown()
  try {
    const swarm = t.add(testnet.swarm())
    const flush = swarm.flush.bind(swarm)
    let calls = 0
    swarm.flush = () => {
      calls++
      return flush()
    }
    const net = t.add(new Networker(t.add(Store.temp()), { swarm }))
    const topics = Array.from({ length: 200 }, () => randomBytes(32))
    const handles = topics.map((topic) => net.join(topic, { announce: true, lookup: false }))
    // One more topic, joined while the others' flush is under way: it is flushed too.
    const late = net.join(randomBytes(32), { announce: true, lookup: false })
    await Promise.all([...handles, late].map((h) => h.flushed()))
    for (const topic of topics) assert.ok(net.flushed(topic), 'every topic is flushed')
    assert.ok(net.flushed(late.topic), 'the late topic is flushed')
    // One flush per topic was 201 calls, each waiting on all 201 discovery sessions.
    assert.ok(calls >= 1 && calls <= 20, `${calls} swarm flushes for 201 topics`)
  } finally {
    await t.run()
  }
})

test('configure() is one more user: releasing it leaves a handle joined, and the other way round', async () => {
  const t = teardown()
  try {
    const hub = onTestnet(t)
    const topic = randomBytes(32)
    const handle = hub.join(topic)
    await hub.configure(topic, { announce: true, lookup: true })
    await hub.configure(topic, { announce: false, lookup: false })
    assert.ok(hub.joined(topic), "configure()'s release does not take the handle's hold")
    await newPeerFinds(t, hub, topic)

    // Now the handle goes first and configure() keeps the topic.
    await hub.configure(topic)
    await handle.destroy()
    assert.ok(hub.joined(topic), "destroying the handle does not take configure()'s hold")
    await newPeerFinds(t, hub, topic)
    await hub.configure(topic, { announce: false, lookup: false })
    assert.is(hub.joined(topic), false)
  } finally {
    await t.run()
  }
})

test('a topic is joined as the union of its users, recomputed when one leaves', async () => {
  const applied: Array<[string, TopicMode]> = []
  const set = new TopicSet(async (topic, mode) => {
    applied.push([Buffer.from(topic).toString('hex').slice(0, 4), mode])
  })
  const topic = Buffer.alloc(32, 0xab)
  const lookup = set.join(topic, { announce: false, lookup: true })
  const announce = set.join(topic, { announce: true, lookup: false })
  const again = set.join(topic, { announce: true, lookup: false })
  await set.configure(topic, { announce: false, lookup: false }) // nobody's hold: nothing changes
  await again.destroy()
  await announce.destroy()
  await announce.destroy() // twice is once
  assert.ok(set.has(topic))
  await lookup.destroy()
  assert.is(set.has(topic), false)
  assert.equal(applied, [
    ['abab', { announce: false, lookup: true }],
    ['abab', { announce: true, lookup: true }],
    ['abab', { announce: false, lookup: true }],
    ['abab', { announce: false, lookup: false }],
  ])
  await assertRejectsCode(() => lookup.flushed(), 'CLOSED')
})

test('bad input: no mode, a short topic, a closed networker', async () => {
  const t = teardown()
  try {
    const net = onTestnet(t)
    assert.throws(() => net.join(randomBytes(32), { announce: false, lookup: false }), TypeError)
    assertThrowsCode(() => net.join(randomBytes(31)), 'INVALID_KEY')
    const handle = net.join(randomBytes(32), { announce: false, lookup: true })
    await net.close()
    await handle.destroy() // after close: nothing to leave, no error
    assertThrowsCode(() => net.join(randomBytes(32)), 'CLOSED')
  } finally {
    await t.run()
  }
})

test('withTopicHandles() counts users over the configure() of a networker without join()', async () => {
  const t = teardown()
  try {
    const hub = onTestnet(t)
    const calls: string[] = []
    // A custom NetworkerLike as a user would write one: configure() only, no join().
    const custom: NetworkerLike = {
      configure: (dk, opts) => {
        calls.push(`${opts?.announce},${opts?.lookup}`)
        return hub.configure(dk, opts)
      },
      get peers() {
        return hub.peers
      },
      on: (event, fn) => hub.on(event, fn),
      off: (event, fn) => hub.off(event, fn),
      registerExtension: (name, handlers) => hub.registerExtension(name, handlers),
      close: () => hub.close(),
    }
    const joinable = withTopicHandles(custom)
    assert.is(withTopicHandles(hub), hub, 'a networker with join() is used as it is')
    const topic = randomBytes(32)
    const a = joinable.join(topic)
    const b = joinable.join(topic)
    await a.flushed()
    await a.destroy()
    assert.ok(hub.joined(topic))
    await newPeerFinds(t, hub, topic)
    await b.destroy()
    assert.is(hub.joined(topic), false)
    assert.equal(calls, ['true,true', 'false,false'])
    assert.is(joinable.peers.length, 1, 'the view reads the networker through')
  } finally {
    await t.run()
  }
})

test.run()
