import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, eventually, once, codeOf } from '@dat-sdk/test-utils'
import { Gossip, datGossip, type ExtensionHost } from '@dat-sdk/gossip'
import { decodeMessage, encodedLength } from '../src/messages.js'
import {
  makeNodes,
  link,
  countingHost,
  settle,
  key,
  hex,
  hexList,
  type RawCore,
} from './fixtures.js'

const test = suite('gossip on a raw hypercore 11 core')

const sorted = (keys: Uint8Array[]) => keys.map(hex).sort()

// eventually() retries until its function returns something truthy: assert, then say yes.
const check = {
  equal: (a: unknown, b: unknown, msg?: string) => (assert.equal(a, b, msg), true),
  is: (a: unknown, b: unknown, msg?: string) => (assert.is(a, b, msg), true),
}

/** Counts every key and deletion a host sends, by decoding what goes out. */
function decodedTraffic(core: RawCore) {
  const host = countingHost(core)
  const sent = { keys: 0, deleted: 0 }
  const registerExtension = host.registerExtension
  host.registerExtension = (name, handlers) => {
    const ext = registerExtension(name, handlers)
    return {
      ...ext,
      send(message, peer) {
        const m = decodeMessage(message as Uint8Array)
        sent.keys += m.keys.length
        sent.deleted += m.deleted.length
        ext.send(message, peer)
      },
    }
  }
  return { host, sent }
}

test('two peers exchange keys both ways, before and after connecting', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const ga = t.add(new Gossip(a.core))
    const gb = t.add(datGossip(b.core))
    assert.ok(ga.advertise(key('a', 0)))
    assert.ok(gb.advertise(key('b', 0)))
    link(t, a, b)
    const first = sorted([key('a', 0), key('b', 0)])
    await eventually(() => check.equal(hexList(ga.list()), first))
    await eventually(() => check.equal(hexList(gb.list()), first))

    ga.advertise(key('a', 1))
    gb.advertise(key('b', 1))
    const all = sorted([key('a', 0), key('a', 1), key('b', 0), key('b', 1)])
    await eventually(() => check.equal(hexList(ga.list()), all))
    await eventually(() => check.equal(hexList(gb.list()), all))
    assert.ok(ga.has(key('b', 1)))
    assert.not.ok(ga.has(key('c', 0)))
  } finally {
    await t.run()
  }
})

test('three peers in a line (A-B-C) converge through B', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const ga = t.add(new Gossip(a.core))
    const gb = t.add(new Gossip(b.core))
    const gc = t.add(new Gossip(c.core))
    link(t, a, b)
    link(t, b, c)
    ga.advertise(key('a'))
    gc.advertise(key('c'))
    const all = sorted([key('a'), key('c')])
    for (const g of [ga, gb, gc]) await eventually(() => check.equal(hexList(g.list()), all))
    gb.advertise(key('b'))
    const more = sorted([key('a'), key('b'), key('c')])
    for (const g of [ga, gb, gc]) await eventually(() => check.equal(hexList(g.list()), more))
  } finally {
    await t.run()
  }
})

test('a peer joining late receives the whole set, once, in one message', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const hb = countingHost(b.core)
    const hc = countingHost(c.core)
    const ga = t.add(new Gossip(a.core))
    const gb = t.add(new Gossip(hb))
    link(t, a, b)
    for (let i = 0; i < 10; i++) ga.advertise(key('a', i))
    for (let i = 0; i < 10; i++) gb.advertise(key('b', i))
    await eventually(() => gb.list().length === 20 && ga.list().length === 20)
    await settle(b.core, a.core) // nothing between A and B still in flight

    const before = { ...hb.traffic }
    const gc = t.add(new Gossip(hc))
    link(t, b, c)
    await eventually(() => check.is(gc.list().length, 20))
    await settle(c.core, b.core) // whatever else B sends C, or C sends B, has arrived by now
    assert.is(hb.traffic.messages - before.messages, 1, 'B sends C one message')
    assert.is(hb.traffic.bytes - before.bytes, encodedLength(20, 0), 'holding the 20 keys')
    assert.is(hc.traffic.messages, 0, 'C had nothing to tell')
    assert.equal(hexList(gc.list()), hexList(ga.list()))
  } finally {
    await t.run()
  }
})

test('a new key goes out once per peer, and a burst of keys in one message', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const [ha, hb, hc] = [a, b, c].map((n) => countingHost(n.core))
    const ga = t.add(new Gossip(ha))
    const gb = t.add(new Gossip(hb))
    const gc = t.add(new Gossip(hc))
    link(t, a, b)
    link(t, a, c)
    await eventually(() => a.core.peers.length === 2)
    await settle(b.core, a.core)
    await settle(c.core, a.core)
    assert.is(ha.traffic.messages + hb.traffic.messages + hc.traffic.messages, 0)

    ga.advertise(key('x'))
    await eventually(() => gb.has(key('x')) && gc.has(key('x')))
    await settle(b.core, a.core)
    await settle(c.core, a.core)
    assert.is(ha.traffic.messages, 2, 'one message to each of the two peers')
    assert.is(hb.traffic.messages + hc.traffic.messages, 0, 'nobody sends it back')

    for (let i = 0; i < 30; i++) gb.advertise(key('burst', i))
    await eventually(() => gc.list().length === 31)
    await settle(b.core, a.core)
    await settle(c.core, a.core)
    assert.is(hb.traffic.messages, 1, 'a burst of advertise() calls is one message')
    assert.is(hb.traffic.bytes, encodedLength(30, 0))
    assert.is(ha.traffic.messages, 3, 'A forwards the burst to C only, in one message')
    assert.is(hc.traffic.messages, 0)
  } finally {
    await t.run()
  }
})

test('in a line every peer receives every key exactly once (the lower bound)', async () => {
  const t = teardown()
  try {
    const nodes = await makeNodes(t, 4)
    const traffic = nodes.map((n) => decodedTraffic(n.core))
    const gossips = traffic.map(({ host }) => t.add(new Gossip(host)))
    gossips.forEach((g, i) => {
      for (let j = 0; j < 5; j++) g.advertise(key(`n${i}`, j))
    })
    for (let i = 0; i + 1 < nodes.length; i++) link(t, nodes[i], nodes[i + 1])
    for (const g of gossips) await eventually(() => g.list().length === 20)
    for (let i = 0; i + 1 < nodes.length; i++) await settle(nodes[i].core, nodes[i + 1].core)
    const delivered = traffic.reduce((n, { sent }) => n + sent.keys, 0)
    assert.is(delivered, 4 * 3 * 5)
  } finally {
    await t.run()
  }
})

test("'change' fires once per batch with the sorted list", async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const ga = t.add(new Gossip(a.core))
    const gb = t.add(new Gossip(b.core))
    link(t, a, b)
    const changes: string[][] = []
    gb.on('change', (list) => changes.push(hexList(list)))

    const local = once<[Uint8Array[]]>(ga, 'change')
    ga.advertise(key('k', 2))
    ga.advertise(key('k', 1))
    ga.advertise(key('k', 3))
    const [list] = await local
    const expected = sorted([key('k', 1), key('k', 2), key('k', 3)])
    assert.equal(hexList(list), expected)
    assert.equal(hexList(ga.list()), expected)
    await eventually(() => changes.length === 1)
    assert.equal(changes[0], expected)

    assert.not.ok(ga.advertise(key('k', 1)), 'advertising a known key changes nothing')
    ga.advertise(key('k', 4)) // a later change: once B has it, it would have had the other one
    await eventually(() => gb.has(key('k', 4)))
    assert.equal(changes, [expected, sorted([key('k', 1), key('k', 2), key('k', 3), key('k', 4)])])
  } finally {
    await t.run()
  }
})

test('advertise(data, false) holds the key back until broadcast()', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const ga = t.add(new Gossip(a.core))
    const gb = t.add(new Gossip(b.core))
    link(t, a, b)
    await eventually(() => a.core.peers.length === 1 && b.core.peers.length === 1)
    ga.advertise(key('quiet'), false)
    assert.ok(ga.has(key('quiet')))
    await settle(b.core, a.core)
    assert.not.ok(gb.has(key('quiet')))
    ga.broadcast()
    await eventually(() => gb.has(key('quiet')))
  } finally {
    await t.run()
  }
})

test('a gossip created after the connection still swaps sets with its peer', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    link(t, a, b)
    await eventually(() => a.core.peers.length === 1 && b.core.peers.length === 1)
    const ga = t.add(new Gossip(a.core))
    ga.advertise(key('early'))
    await settle(a.core, b.core) // A's set reached B, which has no gossip yet: lost
    const gb = t.add(new Gossip(b.core))
    gb.advertise(key('late'))
    const all = sorted([key('early'), key('late')])
    await eventually(() => check.equal(hexList(gb.list()), all))
    await eventually(() => check.equal(hexList(ga.list()), all))
  } finally {
    await t.run()
  }
})

test('a key that is not 32 bytes is INVALID_KEY; has() says false', async () => {
  const t = teardown()
  try {
    const [a] = await makeNodes(t, 1)
    const g = t.add(new Gossip(a.core))
    assert.is(
      codeOf(() => g.advertise(new Uint8Array(31))),
      'INVALID_KEY',
    )
    assert.is(
      // a hex string where bytes belong, on purpose: INVALID_KEY, not a crash
      codeOf(() => g.advertise('ab'.repeat(32) as unknown as Uint8Array)),
      'INVALID_KEY',
    )
    assert.is(
      codeOf(() => g.delete(new Uint8Array(33))),
      'INVALID_KEY',
    )
    assert.not.ok(g.has(new Uint8Array(3)))
    assert.not.ok(g.has(null as unknown as Uint8Array)) // wrong type on purpose: no match, no throw
    assert.equal(g.list(), [])
  } finally {
    await t.run()
  }
})

test('bad options throw; the extension name is configurable', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    assert.throws(() => new Gossip(a.core, { maxKeys: -1 }))
    assert.throws(() => new Gossip(a.core, { maxMessageBytes: 10 }))
    assert.throws(() => new Gossip(a.core, { extension: '' }))
    assert.throws(() => new Gossip({} as unknown as ExtensionHost)) // wrong type on purpose: runtime TypeError
    const ga = t.add(new Gossip(a.core, { extension: 'my-gossip' }))
    const gb = t.add(new Gossip(b.core, { extension: 'my-gossip' }))
    const other = t.add(new Gossip(b.core))
    assert.is(ga.extension, 'my-gossip')
    link(t, a, b)
    ga.advertise(key('named'))
    await eventually(() => gb.has(key('named')))
    ga.advertise(key('named', 1)) // a later message: once B has it, it would have had the first
    await eventually(() => gb.has(key('named', 1)))
    assert.not.ok(other.has(key('named')), 'dat-gossip@1 on the same core hears nothing')
    assert.not.ok(other.has(key('named', 1)))
  } finally {
    await t.run()
  }
})

test('close() stops all traffic; calls after it throw CLOSED', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const ha = countingHost(a.core)
    const ga = t.add(new Gossip(ha))
    const gb = t.add(new Gossip(b.core))
    const gc = t.add(new Gossip(c.core))
    link(t, a, b)
    gb.advertise(key('before'))
    await eventually(() => ga.has(key('before')))
    await settle(a.core, b.core)

    let changes = 0
    ga.on('change', () => changes++)
    await ga.close()
    await ga.close()
    assert.ok(ga.closed)
    const sent = ha.traffic.messages

    gb.advertise(key('after'))
    gc.advertise(key('from-c'))
    link(t, a, c)
    await eventually(() => c.core.peers.length === 1)
    await settle(b.core, a.core) // B's 'after' has reached A
    await settle(c.core, a.core) // C's set has reached A, and anything A sent C has arrived
    assert.is(ha.traffic.messages, sent, 'A sent nothing after close')
    assert.not.ok(ga.has(key('after')), 'A took nothing in after close')
    assert.not.ok(ga.has(key('from-c')))
    assert.not.ok(gc.has(key('before')), 'A did not pass its set to a new peer')
    assert.is(changes, 0)
    assert.is(
      codeOf(() => ga.advertise(key('x'))),
      'CLOSED',
    )
    assert.is(
      codeOf(() => ga.delete(key('x'))),
      'CLOSED',
    )
    assert.is(
      codeOf(() => ga.broadcast()),
      'CLOSED',
    )
    assert.ok(ga.has(key('before')), 'has() and list() still answer')
  } finally {
    await t.run()
  }
})

test.run()
