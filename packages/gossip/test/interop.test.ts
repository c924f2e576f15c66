import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createRequire } from 'node:module'
import { teardown, eventually } from '@dat-sdk/test-utils'
import { Gossip } from '@dat-sdk/gossip'
import {
  makeNodes,
  link,
  peerOpenShim,
  settle,
  key,
  hex,
  hexList,
  type RawCore,
} from './fixtures.js'

// The published dat-gossip@1.0.0, unchanged, on the same hypercore 11 cores. The only help it
// gets is the 'peer-add' -> 'peer-open' shim (hypercore 11 renamed the event).
const require = createRequire(import.meta.url)
const datGossip = require('dat-gossip') as (
  core: RawCore,
  opts?: { extension?: string },
) => {
  advertise(key: Buffer, broadcast?: boolean): boolean
  delete(key: Buffer): void
  list(): Buffer[]
  broadcast(): void
  close(): void
}

function legacy(t: ReturnType<typeof teardown>, core: RawCore) {
  peerOpenShim(core)
  const g = datGossip(core)
  t.add(() => g.close())
  return g
}

const test = suite('gossip interoperates with dat-gossip@1.0.0')

const sorted = (keys: Uint8Array[]) => keys.map(hex).sort()
const same = (a: Uint8Array[], b: Uint8Array[]) => hexList(a).join() === hexList(b).join()

test('dat-gossip@1.0.0 and ours swap sets both ways, before and after connecting', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const theirs = legacy(t, a.core)
    const ours = t.add(new Gossip(b.core))
    theirs.advertise(Buffer.from(key('theirs', 0)))
    ours.advertise(key('ours', 0))
    link(t, a, b)
    const first = sorted([key('theirs', 0), key('ours', 0)])
    await eventually(() => hexList(ours.list()).join() === first.join())
    await eventually(() => hexList(theirs.list()).join() === first.join())

    theirs.advertise(Buffer.from(key('theirs', 1)), true)
    ours.advertise(key('ours', 1))
    await eventually(() => ours.list().length === 4 && theirs.list().length === 4)
    assert.ok(same(ours.list(), theirs.list()))
  } finally {
    await t.run()
  }
})

test('ours relays between two dat-gossip@1.0.0 peers, and dat-gossip between two of ours', async () => {
  const t = teardown()
  try {
    // theirs - ours - theirs
    const [a, b, c] = await makeNodes(t, 3)
    const ta = legacy(t, a.core)
    const ob = t.add(new Gossip(b.core))
    const tc = legacy(t, c.core)
    link(t, a, b)
    link(t, b, c)
    ta.advertise(Buffer.from(key('a')), true)
    tc.advertise(Buffer.from(key('c')), true)
    await eventually(() => ta.list().length === 2 && tc.list().length === 2)
    assert.ok(same(ta.list(), tc.list()) && same(ob.list(), ta.list()))

    // ours - theirs - ours
    const [d, e, f] = await makeNodes(t, 3)
    const od = t.add(new Gossip(d.core))
    const te = legacy(t, e.core)
    const of = t.add(new Gossip(f.core))
    link(t, d, e)
    link(t, e, f)
    od.advertise(key('d'))
    of.advertise(key('f'))
    await eventually(() => od.list().length === 2 && of.list().length === 2)
    assert.ok(same(od.list(), of.list()) && same(te.list(), od.list()))
  } finally {
    await t.run()
  }
})

test('a key deleted on our side does not come back from dat-gossip@1.0.0, which keeps it', async () => {
  const t = teardown()
  try {
    const [a, b, c] = await makeNodes(t, 3)
    const theirs = legacy(t, a.core)
    const ob = t.add(new Gossip(b.core))
    const oc = t.add(new Gossip(c.core))
    link(t, a, b)
    link(t, b, c)
    theirs.advertise(Buffer.from(key('k')), true)
    await eventually(() => oc.has(key('k')))
    ob.delete(key('k'))
    await eventually(() => !oc.has(key('k')))
    // dat-gossip ignores "deleted" and re-sends its whole set whenever it learns something.
    theirs.advertise(Buffer.from(key('more')), true)
    oc.advertise(key('from-c'))
    await eventually(() => oc.has(key('more')) && theirs.list().length === 3)
    await settle(b.core, a.core) // every re-send of dat-gossip's set (with the key) reached B
    await settle(c.core, b.core) // and whatever B passed on reached C
    assert.ok(
      theirs.list().some((k) => k.equals(Buffer.from(key('k')))),
      'dat-gossip keeps it',
    )
    assert.not.ok(ob.has(key('k')))
    assert.not.ok(oc.has(key('k')))
  } finally {
    await t.run()
  }
})

test('dat-gossip@1.0.0 data that is not a 32-byte key is refused as BAD_MESSAGE', async () => {
  const t = teardown()
  try {
    const [a, b] = await makeNodes(t, 2)
    const theirs = legacy(t, a.core)
    const ours = t.add(new Gossip(b.core))
    const codes: string[] = []
    ours.on('extension-error', (err) => codes.push((err as { code?: string }).code ?? 'none'))
    theirs.advertise(Buffer.from('Something'))
    link(t, a, b)
    await eventually(() => codes.length > 0)
    assert.is(codes[0], 'BAD_MESSAGE')
    assert.equal(ours.list(), [])
  } finally {
    await t.run()
  }
})

test.run()
