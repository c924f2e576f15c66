import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import Corestore from 'corestore'
import { extensionHostCompliance, eventually, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Drive } from '@dat-sdk/drive-wrapper'
import { Gossip } from '@dat-sdk/gossip'
import { link, key, hexList } from './fixtures.js'

// `Drive` from @dat-sdk/drive-wrapper as an ExtensionHost (extensions on the drive's db core):
// the compliance suite, then gossip itself on two replicas of one drive.
const test = suite('ExtensionHost compliance and gossip: Drive')

async function drives(t: Teardown) {
  const sa = t.add(new Corestore(t.tmpDir('gossip-drive')))
  const sb = t.add(new Corestore(t.tmpDir('gossip-drive')))
  const da = t.add(new Drive(sa as never))
  await da.ready()
  const db = t.add(new Drive(sb as never, da.key))
  await db.ready()
  return { da, db, a: { store: sa, core: null as never }, b: { store: sb, core: null as never } }
}

extensionHostCompliance('Drive', test, {
  async create(t) {
    const { da, db, a, b } = await drives(t)
    let cut: (() => Promise<void>) | null = null
    return {
      a: da as never,
      b: db as never,
      connect() {
        cut = link(t, a, b)
      },
      async disconnect() {
        await cut?.()
      },
    }
  },
})

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
