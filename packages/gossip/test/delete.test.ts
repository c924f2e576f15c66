import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, eventually, once } from '@dat-sdk/test-utils'
import { Gossip } from '@dat-sdk/gossip'
import { makeNodes, link, settle, key, hex, hexList } from './fixtures.js'

const test = suite('gossip: delete() makes a two-phase set')

test('delete() travels to every peer, each drops the key and says so', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const [ga, gb, gc] = [a, b, c].map((n) => t.add(new Gossip(n.core)))
    link(t, a, b)
    link(t, b, c)
    ga.advertise(key('keep'))
    ga.advertise(key('drop'))
    await eventually(() => gc.list().length === 2)

    const changed = once<[Uint8Array[]]>(gc, 'change')
    assert.ok(ga.delete(key('drop')))
    assert.not.ok(ga.has(key('drop')), 'delete() is synchronous')
    const [list] = await changed
    assert.equal(hexList(list), [hex(key('keep'))])
    await eventually(() => !gb.has(key('drop')))
    assert.equal(hexList(gb.list()), [hex(key('keep'))])
    assert.not.ok(ga.delete(key('drop')), 'deleting twice is a no-op')
  } finally {
    await t.run()
  }
})

test('a deleted key does not come back from a peer that still had it', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const [ga, gb, gc] = [a, b, c].map((n) => t.add(new Gossip(n.core)))
    link(t, a, b)
    ga.advertise(key('k'))
    gc.advertise(key('k')) // C has it too, but is offline
    gc.advertise(key('c'))
    await eventually(() => gb.has(key('k')))
    ga.delete(key('k'))
    await eventually(() => !gb.has(key('k')))

    link(t, b, c) // C comes online, still holding the key
    await eventually(() => ga.has(key('c')) && gb.has(key('c')))
    await eventually(() => !gc.has(key('k')), { message: 'C hears of the deletion' })
    await settle(c.core, b.core) // C's set, with the key, reached B, and B's answer reached C
    await settle(a.core, b.core) // and whatever B passed on to A
    for (const g of [ga, gb, gc]) assert.not.ok(g.has(key('k')))
    assert.not.ok(ga.advertise(key('k')), 'nor can it be advertised again')
    assert.not.ok(gc.advertise(key('k')))
  } finally {
    await t.run()
  }
})

test('a peer that joins later learns of deletions and passes them on', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const [ga, gb, gc] = [a, b, c].map((n) => t.add(new Gossip(n.core)))
    ga.delete(key('gone')) // a key nobody has yet
    gc.advertise(key('gone'))
    gc.advertise(key('fine'))
    const cutAB = link(t, a, b)
    await eventually(() => a.core.peers.length === 1) // A sent its deletion on 'peer-add'
    await settle(a.core, b.core) // which B has received
    await cutAB() // B knew nothing; it got A's deletion and leaves
    link(t, b, c)
    await eventually(() => gb.has(key('fine')))
    await eventually(() => !gc.has(key('gone')), { message: 'C drops the key B told it about' })
    assert.not.ok(gb.has(key('gone')))
    assert.equal(hexList(gc.list()), [hex(key('fine'))])
  } finally {
    await t.run()
  }
})

test('a remote deletion wins over our own advertised key', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const [ga, gb] = [a, b].map((n) => t.add(new Gossip(n.core)))
    ga.advertise(key('shared'))
    gb.advertise(key('shared'))
    link(t, a, b)
    await eventually(() => a.core.peers.length === 1)
    gb.delete(key('shared'))
    await eventually(() => !ga.has(key('shared')))
    assert.equal(ga.list(), [])
  } finally {
    await t.run()
  }
})

test.run()
