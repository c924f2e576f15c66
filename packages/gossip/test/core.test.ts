import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, eventually } from '@dat-sdk/test-utils'
import { Core } from '@dat-sdk/core-wrapper'
import { Gossip } from '@dat-sdk/gossip'
import { makeNodes, link, countingHost, key, hex, hexList } from './fixtures.js'

const test = suite('gossip on a Core (@dat-sdk/core-wrapper)')

const sorted = (keys: Uint8Array[]) => keys.map(hex).sort()

test('two Cores exchange keys both ways; a deletion travels and sticks', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const ca = t.add(new Core(a.core))
    const cb = t.add(new Core(b.core))
    const ga = t.add(new Gossip(ca))
    const gb = t.add(new Gossip(cb))
    ga.advertise(key('a'))
    gb.advertise(key('b'))
    link(t, a, b)
    const all = sorted([key('a'), key('b')])
    await eventually(() => hexList(ga.list()).join() === all.join())
    await eventually(() => hexList(gb.list()).join() === all.join())
    gb.advertise(key('b', 1))
    await eventually(() => ga.has(key('b', 1)))
    ga.delete(key('b'))
    await eventually(() => !gb.has(key('b')))
    assert.not.ok(gb.advertise(key('b')))
  } finally {
    await t.run()
  }
})

test('a gossip created on a Core after the peers met still swaps sets', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const ca = t.add(new Core(a.core))
    const cb = t.add(new Core(b.core))
    link(t, a, b)
    await eventually(() => ca.peers().length === 1 && cb.peers().length === 1)
    const ha = countingHost(ca)
    const ga = t.add(new Gossip(ha))
    ga.advertise(key('early'))
    // A's hello and its set went to the Core before B has a gossip (the Core holds them until B
    // registers the extension; a raw hypercore would drop them).
    await eventually(() => ha.traffic.messages === 2)
    const gb = t.add(new Gossip(cb))
    gb.advertise(key('late'))
    await eventually(() => ga.has(key('late')) && gb.has(key('early')))
  } finally {
    await t.run()
  }
})

test('ours on a Core and ours on a raw hypercore converge', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const ga = t.add(new Gossip(t.add(new Core(a.core))))
    const gb = t.add(new Gossip(b.core))
    ga.advertise(key('core'))
    gb.advertise(key('raw'))
    link(t, a, b)
    // The Core waits for a raw peer's handshake (2 s by default) before sending to it.
    await eventually(() => ga.has(key('raw')) && gb.has(key('core')), { timeout: 15_000 })
  } finally {
    await t.run()
  }
})

test('a malformed message reaching a Core is BAD_MESSAGE on the gossip, never a crash', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const cb = t.add(new Core(b.core))
    const gb = t.add(new Gossip(cb))
    const errors: string[] = []
    gb.on('extension-error', (err) => errors.push((err as { code?: string }).code ?? 'none'))
    cb.on('extension-error', () => errors.push('core'))
    const raw = a.core.registerExtension('dat-gossip@1', { encoding: 'binary' })
    link(t, a, b)
    await eventually(() => a.core.peers.length === 1)
    raw.send(Buffer.from('{"keys": 42}'), a.core.peers[0])
    raw.send(Buffer.from([0xff, 0x00]), a.core.peers[0])
    raw.send(Buffer.from(JSON.stringify({ keys: [hex(key('fine'))] })), a.core.peers[0])
    await eventually(() => gb.has(key('fine')), { timeout: 15_000 })
    assert.equal(errors, ['BAD_MESSAGE', 'BAD_MESSAGE'])
  } finally {
    await t.run()
  }
})

test.run()
