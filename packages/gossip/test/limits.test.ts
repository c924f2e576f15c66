import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, eventually, once } from '@dat-sdk/test-utils'
import { Gossip, MIN_MESSAGE_BYTES } from '@dat-sdk/gossip'
import { encodedLength } from '../src/messages.js'
import { makeNodes, link, countingHost, settle, key, hex, hexList, type Node } from './fixtures.js'

const test = suite('gossip: limits and malformed messages from peers')

interface Report {
  code: string
  peer: unknown
}

/** Collects what a gossip reports through 'extension-error' and through opts.onerror. */
function reports() {
  const events: Report[] = []
  const handler: Report[] = []
  return {
    events,
    handler,
    onerror: (err: Error, peer?: unknown) =>
      handler.push({ code: (err as { code?: string }).code ?? 'none', peer }),
    listen(g: Gossip) {
      g.on('extension-error', (err, peer) =>
        events.push({ code: (err as { code?: string }).code ?? 'none', peer }),
      )
      return g
    },
  }
}

/** A raw peer that speaks on the gossip extension with whatever bytes a test gives it. */
async function rawSender(node: Node) {
  const ext = node.core.registerExtension('dat-gossip@1', { encoding: 'binary' })
  await eventually(() => node.core.peers.length === 1)
  const peer = node.core.peers[0]
  return (payload: Uint8Array | string) =>
    ext.send(typeof payload === 'string' ? Buffer.from(payload) : payload, peer)
}

const json = (value: unknown) => JSON.stringify(value)

test('maxKeys caps the set: extra remote keys are dropped, reported once per message', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const r = reports()
    const ga = t.add(new Gossip(a.core))
    const gb = r.listen(t.add(new Gossip(b.core, { maxKeys: 5, onerror: r.onerror })))
    gb.advertise(key('own', 0))
    gb.advertise(key('own', 1))
    for (let i = 0; i < 10; i++) ga.advertise(key('remote', i))
    link(t, a, b)
    await eventually(() => r.events.length === 1)
    await settle(b.core, a.core) // everything A sent has reached B
    assert.is(gb.list().length, 5, 'two of ours and three of theirs')
    assert.ok(gb.has(key('own', 0)) && gb.has(key('own', 1)), 'ours are never dropped')
    assert.equal(
      r.events.map((e) => e.code),
      ['TOO_MANY_KEYS'],
    )
    assert.equal(
      r.handler.map((e) => e.code),
      ['TOO_MANY_KEYS'],
    )
    assert.is(r.events[0].peer, b.core.peers[0])
    assert.is(ga.list().length, 12, 'the other side is not capped')

    assert.ok(gb.advertise(key('own', 2)), 'our own keys still go in past the cap')
    assert.is(gb.list().length, 6)
    await eventually(() => ga.has(key('own', 2)))
    ga.advertise(key('remote', 99))
    await eventually(() => r.events.length === 2)
    assert.not.ok(gb.has(key('remote', 99)))
  } finally {
    await t.run()
  }
})

test('maxKeys counts deleted keys too, so deletions cannot flood it', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const r = reports()
    const gb = r.listen(t.add(new Gossip(b.core, { maxKeys: 3 })))
    link(t, a, b)
    const send = await rawSender(a)
    send(json({ keys: [], deleted: [0, 1, 2, 3, 4].map((i) => hex(key('d', i))) }))
    await eventually(() => r.events.length === 1)
    assert.is(r.events[0].code, 'TOO_MANY_KEYS')
    send(json({ keys: [hex(key('new'))] }))
    await eventually(() => r.events.length === 2)
    assert.is(r.events[1].code, 'TOO_MANY_KEYS')
    assert.equal(gb.list(), [])
  } finally {
    await t.run()
  }
})

test('a message over maxMessageBytes is refused whole as MESSAGE_TOO_LARGE', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const r = reports()
    const limit = encodedLength(3, 0)
    const gb = r.listen(t.add(new Gossip(b.core, { maxMessageBytes: limit })))
    link(t, a, b)
    const send = await rawSender(a)
    send(json({ keys: [0, 1, 2, 3].map((i) => hex(key('big', i))) }))
    await eventually(() => r.events.length === 1)
    assert.is(r.events[0].code, 'MESSAGE_TOO_LARGE')
    assert.equal(gb.list(), [], 'nothing of it was taken')
    send(json({ keys: [0, 1, 2].map((i) => hex(key('big', i))) }))
    await eventually(() => gb.list().length === 3)
  } finally {
    await t.run()
  }
})

test('outgoing messages are split to fit maxMessageBytes', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const r = reports()
    const ha = countingHost(a.core)
    const ga = t.add(new Gossip(ha, { maxMessageBytes: MIN_MESSAGE_BYTES }))
    const gb = r.listen(t.add(new Gossip(b.core, { maxMessageBytes: MIN_MESSAGE_BYTES })))
    for (let i = 0; i < 7; i++) ga.advertise(key('split', i))
    ga.delete(key('split', 6))
    ga.delete(key('other'))
    link(t, a, b)
    await eventually(() => gb.list().length === 6)
    assert.equal(hexList(gb.list()), hexList(ga.list()))
    assert.is(r.events.length, 0)
    assert.ok(ha.traffic.messages >= 4, `${ha.traffic.messages} messages`)
    assert.ok(ha.traffic.bytes <= ha.traffic.messages * MIN_MESSAGE_BYTES)
  } finally {
    await t.run()
  }
})

test('malformed messages are BAD_MESSAGE, change nothing, and the peer lives on', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const r = reports()
    const gb = r.listen(t.add(new Gossip(b.core, { onerror: r.onerror })))
    const own = once(gb, 'change')
    gb.advertise(key('mine'))
    await own // the change our own key makes, before counting
    let changes = 0
    gb.on('change', () => changes++)
    link(t, a, b)
    const send = await rawSender(a)
    const good = hex(key('good'))
    const bad: Array<string | Uint8Array> = [
      'not json',
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      new Uint8Array(0),
      'null',
      json([good]),
      json({}),
      json({ keys: good }),
      json({ keys: [good, 'abc'] }),
      json({ keys: [good, good.slice(1) + 'g'] }),
      json({ keys: [good, 7] }),
      json({ keys: [good], deleted: hex(key('mine')) }),
      json({ keys: [good], deleted: [hex(key('mine')).slice(2)] }),
      json({ keys: [], deleted: [null] }),
    ]
    for (const payload of bad) send(payload)
    await eventually(() => r.events.length === bad.length)
    assert.ok(r.events.every((e) => e.code === 'BAD_MESSAGE'))
    assert.ok(r.events.every((e) => e.peer === b.core.peers[0]))
    assert.is(r.handler.length, bad.length, 'onerror heard every one too')
    assert.equal(hexList(gb.list()), [hex(key('mine'))], 'nothing changed')
    assert.is(changes, 0)

    send(json({ keys: [good] }))
    await eventually(() => gb.has(key('good')), { message: 'a good message still gets through' })
    assert.is(r.events.length, bad.length)
  } finally {
    await t.run()
  }
})

test.run()
