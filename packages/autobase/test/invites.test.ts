import assert from 'node:assert/strict'
import BlindPairing from 'blind-pairing'
import c from 'compact-encoding'
import crypto from 'hypercore-crypto'
import type { Duplex } from 'node:stream'
import Protomux, { type Channel } from 'protomux'
import z32 from 'z32'
import { suite } from 'uvu'
import { Store } from '@dat-sdk/store'
import {
  assertRejectsCode,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
} from '@dat-sdk/test-utils'
import { Base, Pairing } from '../src/index.js'
import { writable } from './helpers.js'

const test = suite('invites')

const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const

function peer(
  t: ReturnType<typeof teardown>,
  testnet: LoopbackTestnet,
  ref?: string | Uint8Array | null,
  timeout?: number,
) {
  const store = t.add(Store.temp())
  const swarm = testnet.swarm()
  const base = t.add(
    new Base<string, string>(store, ref, { ...strings, swarm, poll: 2_000, timeout }),
  )
  return { base, store, swarm }
}

test('a peer that opens an invite becomes a writer; the invite then is used', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const { base: a } = peer(t, testnet)
    await a.ready()
    const invite = await a.createInvite()
    assert.equal(typeof invite, 'string')

    const { base: b } = peer(t, testnet, invite, 30_000)
    await b.ready()
    assert.deepEqual(b.key, a.key, 'pairing gave the base key')
    await writable(b)
    await b.put('from-b', 'hello')
    await eventually(async () => {
      await a.update()
      assert.equal((await a.get('from-b'))?.value, 'hello')
      return true
    })

    const { base: c2 } = peer(t, testnet, invite, 30_000)
    await assertRejectsCode(c2.ready(), 'INVITE_INVALID')
  } finally {
    await t.run()
  }
})

test('an expired invite and a made-up string are INVITE_INVALID; no writer answering is PEER_TIMEOUT', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const { base: a } = peer(t, testnet)
    await a.ready()
    const expires = Date.now() + 1_000
    const expiring = await a.createInvite({ expires })
    await eventually(() => Date.now() > expires + 1_000, { timeout: 5_000 })
    const { base: late } = peer(t, testnet, expiring, 30_000)
    await assertRejectsCode(late.ready(), 'INVITE_INVALID')

    const { base: madeUp } = peer(t, testnet, 'ybndrfg8ejkmcpqxot1uwisza345h769'.repeat(3), 30_000)
    await assertRejectsCode(madeUp.ready(), 'INVITE_INVALID')

    const orphan = await a.createInvite()
    await a.close() // the only writer that holds it goes away
    const { base: waiting } = peer(t, testnet, orphan, 1_500)
    await assertRejectsCode(waiting.ready(), 'PEER_TIMEOUT')
  } finally {
    await t.run()
  }
})

// Through the public API a Base answers only the invites it made (it looks the invite's id up in
// its own records) and confirms with its own key, the key the invite was made for; so an answer
// naming another base comes only from a peer that is not a Base (buggy or hostile). blind-pairing
// itself plays that peer here: it holds the invite and confirms with another base's key.
test('an answer that names another base than the invite is INVITE_INVALID', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const invitedKey = crypto.randomBytes(32)
    const otherKey = crypto.randomBytes(32)
    const created = BlindPairing.createInvite(invitedKey)
    const blind = t.add(new BlindPairing(testnet.swarm(), { poll: 2_000 }))
    const answered: Uint8Array[] = []
    t.add(
      blind.addMember({
        discoveryKey: created.discoveryKey,
        async onadd(request) {
          answered.push(request.open(created.publicKey))
          request.confirm({ key: otherKey })
        },
      }),
    )
    const { base } = peer(t, testnet, z32.encode(created.invite), 30_000)
    await assertRejectsCode(base.ready(), 'INVITE_INVALID')
    assert.equal(answered.length >= 1, true, 'the other peer did answer (with the wrong base)')
    assert.equal(base.key, null, 'the base never took the other key')
  } finally {
    await t.run()
  }
})

test('garbage on the pairing channel is BAD_MESSAGE and the connection lives', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const { base: a } = peer(t, testnet)
    await a.ready()
    await a.createInvite() // a now answers on the pairing channel
    await a.put('before', '1')
    const errors: Array<{ code: string }> = []
    a.on('extension-error', (err) => errors.push(err))

    const { base: d, swarm: swarmD } = peer(t, testnet, a.key)
    await d.ready()
    await eventually(async () => {
      await d.update()
      return (await d.get('before'))?.value === '1'
    })
    const [conn] = [...swarmD.connections]
    const mux = Protomux.from(conn)
    const channel = mux.createChannel({
      protocol: 'blind-pairing',
      id: a.discoveryKey,
      messages: [{ encoding: c.raw }, { encoding: c.raw }],
    })
    assert.ok(channel, 'a raw channel next to the Base')
    channel.open()
    channel.messages[0].send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01]))
    channel.messages[1].send(new Uint8Array([0x03, 0x01, 0x02, 0x03]))
    await eventually(() => errors.length >= 2, { message: 'both reported' })
    assert.deepEqual(
      errors.map((e) => e.code),
      ['BAD_MESSAGE', 'BAD_MESSAGE'],
    )
    // The same connection still carries the base.
    await a.put('after', '2')
    await eventually(async () => {
      await d.update()
      return (await d.get('after'))?.value === '2'
    })
    assert.ok(swarmD.connections.has(conn), 'the connection that carried the garbage lives on')
  } finally {
    await t.run()
  }
})

test('only a writer invites (NOT_WRITABLE); a bad expires stays a TypeError', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const { base: a } = peer(t, testnet)
    await a.ready()
    await assert.rejects(a.createInvite({ expires: -1 }), TypeError)
    const { base: reader } = peer(t, testnet, a.key)
    await reader.ready()
    assert.equal(reader.writable, false)
    await assertRejectsCode(reader.createInvite(), 'NOT_WRITABLE')
  } finally {
    await t.run()
  }
})

// A Pairing leaves nothing behind on the connection's shared Protomux: the next Pairing on the same
// swarm and connection (the first one closed) gets the reports of its own channels.
test('a Pairing made after another closed on the same connection gets its own reports', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const swarmA = testnet.swarm()
    const swarmD = testnet.swarm()
    const topic = crypto.randomBytes(32)
    const discoveryKey = crypto.randomBytes(32)
    // D answers every blind-pairing channel A opens for the base with a raw channel of its own.
    const channels: Channel[] = []
    swarmD.on('connection', (conn: Duplex & { userData: unknown }) => {
      const mux = Protomux.from(conn)
      conn.userData = mux
      mux.pair({ protocol: 'blind-pairing', id: discoveryKey }, () => {
        const channel = mux.createChannel({
          protocol: 'blind-pairing',
          id: discoveryKey,
          messages: [{ encoding: c.raw }, { encoding: c.raw }],
        })
        if (!channel) return
        channels.push(channel)
        channel.open()
      })
    })
    await swarmA.join(topic, { server: true, client: false }).flushed()
    await swarmD.join(topic, { server: false, client: true }).flushed()
    await eventually(() => swarmD.connections.size === 1 && swarmA.connections.size === 1, {
      message: 'connected',
    })
    const [conn] = [...swarmD.connections]
    const answer = async () => {}

    const first = new Pairing(swarmA, { poll: 2_000 })
    const firstErrors: string[] = []
    first.listen(discoveryKey, (err) => firstErrors.push(err.code))
    await first.member(discoveryKey, answer).ready()
    await first.close()

    const second = t.add(new Pairing(swarmA, { poll: 2_000 }))
    const secondErrors: string[] = []
    second.listen(discoveryKey, (err) => secondErrors.push(err.code))
    t.add(second.member(discoveryKey, answer))

    // A opens, closes and opens again: D's second channel is the second Pairing's.
    await eventually(() => channels.length === 2 && channels[1]!.opened, {
      message: "D holds the second Pairing's channel",
    })
    assert.equal(channels[0]!.closed, true, "the first Pairing's channel closed with it")
    channels[1]!.messages[0]!.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01]))
    await eventually(() => secondErrors.length + firstErrors.length >= 1, { message: 'reported' })
    assert.deepEqual(secondErrors, ['BAD_MESSAGE'], 'the second Pairing heard it')
    assert.deepEqual(firstErrors, [], 'nothing reached the closed Pairing')
    assert.ok(swarmD.connections.has(conn), 'the connection lives on')
  } finally {
    await t.run()
  }
})

test.run()
