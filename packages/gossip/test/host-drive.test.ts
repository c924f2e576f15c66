import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import Corestore from 'corestore'
import { eventually, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Drive } from '@dat-sdk/drive-wrapper'
import { Gossip } from '@dat-sdk/gossip'
import { link, key, hexList } from './fixtures.js'

// Gossip on `Drive` from @dat-sdk/drive-wrapper as its host (extensions on the drive's db core);
// drive-wrapper's own tests run the ExtensionHost compliance suite on it.
const test = suite('gossip on a Drive')

async function drives(t: Teardown) {
  const sa = t.add(new Corestore(t.tmpDir('gossip-drive')))
  const sb = t.add(new Corestore(t.tmpDir('gossip-drive')))
  const da = t.add(new Drive(sa))
  await da.ready()
  const db = t.add(new Drive(sb, da.key))
  await db.ready()
  return { da, db, a: { store: sa }, b: { store: sb } }
}

test('gossip on two replicas of a drive converges', async () => {
  const t = teardown()
  try {
    const { da, db, a, b } = await drives(t)
    const ga = t.add(new Gossip(da))
    const gb = t.add(new Gossip(db))
    ga.advertise(key('drive-a'))
    gb.advertise(key('drive-b'))
    link(t, a, b)
    await eventually(() => ga.list().length === 2 && gb.list().length === 2, { timeout: 15_000 })
    assert.equal(hexList(ga.list()), hexList(gb.list()))
  } finally {
    await t.run()
  }
})

test.run()
