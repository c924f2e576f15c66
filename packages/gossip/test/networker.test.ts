import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Gossip } from '@dat-sdk/gossip'
import { makeNetworkers, joinTopic, settle, key, hex, hexList } from './fixtures.js'

// Gossip across every connection of a Networker: the networkers share a topic, not a core.
const test = suite('gossip over a Networker (@dat-sdk/networker), no core in common')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('three networkers converge; a fourth joining late gets the whole set', async () => {
  const t = teardown()
  try {
    const nets = await makeNetworkers(t, testnet, 3)
    const gossips = nets.map((n) => t.add(new Gossip(n)))
    gossips.forEach((g, i) => g.advertise(key(`net${i}`)))
    const topic = await joinTopic(nets)
    await eventually(() => gossips.every((g) => g.list().length === 3), { timeout: 15_000 })
    const expected = hexList(gossips[0].list())
    for (const g of gossips) assert.equal(hexList(g.list()), expected)

    const [late] = await makeNetworkers(t, testnet, 1)
    const gl = t.add(new Gossip(late))
    await late.configure(topic)
    await eventually(() => gl.list().length === 3, { timeout: 20_000 })
    assert.equal(hexList(gl.list()), expected)
  } finally {
    await t.run()
  }
})

test('a deletion travels over the networker and does not come back', async () => {
  const t = teardown()
  try {
    const nets = await makeNetworkers(t, testnet, 3)
    const [ga, gb, gc] = nets.map((n) => t.add(new Gossip(n)))
    ga.advertise(key('k'))
    gc.advertise(key('k'))
    await joinTopic(nets)
    await eventually(() => gb.has(key('k')), { timeout: 15_000 })
    ga.delete(key('k'))
    await eventually(() => !gb.has(key('k')) && !gc.has(key('k')), { timeout: 15_000 })
    gc.advertise(key('more'))
    await eventually(() => ga.has(key('more')) && gb.has(key('more')), { timeout: 15_000 })
    // Whatever is still in flight between any two of them has arrived, and was answered.
    await settle(nets[0], nets[1])
    await settle(nets[1], nets[2])
    await settle(nets[2], nets[0])
    for (const g of [ga, gb, gc]) assert.not.ok(g.has(key('k')))
  } finally {
    await t.run()
  }
})

test('bad bytes from a peer are BAD_MESSAGE; close() stops all traffic', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNetworkers(t, testnet, 2)
    const got: Uint8Array[] = []
    const raw = a.registerExtension('dat-gossip@1', {
      encoding: 'binary',
      onmessage: (m: Uint8Array) => {
        got.push(m)
      },
    })
    const gb = t.add(new Gossip(b))
    const errors: string[] = []
    gb.on('extension-error', (err) => errors.push((err as { code?: string }).code ?? 'none'))
    gb.advertise(key('b'))
    await joinTopic([a, b])
    await eventually(() => got.length === 1, { timeout: 15_000 })
    const peer = a.peers[0]
    raw.send(Buffer.from('nope'), peer)
    raw.send(Buffer.from(JSON.stringify({ keys: [], deleted: 'x' })), peer)
    raw.send(Buffer.from(JSON.stringify({ keys: [hex(key('a'))] })), peer)
    await eventually(() => gb.has(key('a')), { timeout: 15_000 })
    assert.equal(errors, ['BAD_MESSAGE', 'BAD_MESSAGE'])

    await gb.close()
    raw.send(Buffer.from(JSON.stringify({ keys: [hex(key('after'))] })), peer)
    raw.send(Buffer.from(JSON.stringify({ keys: [] })), peer) // a hello would get an answer
    await settle(a, b) // B has both, and would have answered before answering this
    assert.not.ok(gb.has(key('after')))
    assert.is(got.length, 1, 'nothing came back after close()')
  } finally {
    await t.run()
  }
})

test.run()
