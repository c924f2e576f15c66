// Load: 8 SDKs on one loopback testnet share one drive and one gossip set (bench/load.bench.ts
// runs 32). All converge, and each SDK keeps one connection per remote key.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { addSDKs, duplicatedConnections, type Mesh } from './helpers/mesh.js'

const test = suite('load: 8 SDKs, one drive, one gossip set')
const N = Number(process.env.LOAD_SDKS || 8)

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('every SDK reads the drive and lists every key; no remote key has two connections', async () => {
  const t = teardown()
  try {
    const mesh: Mesh = { sdks: [], nets: [] }
    t.add(() => Promise.allSettled(mesh.sdks.map((sdk) => sdk.close())))
    await addSDKs(mesh, testnet, N)
    const { sdks, nets } = mesh
    const started = Date.now()
    const drive = sdks[0].Hyperdrive('shared')
    await drive.put('/hello.txt', 'hello from 0')
    await sdks[0].flush(drive)
    const gossips = sdks.map((sdk) => sdk.Gossip())
    gossips.forEach((g, i) => g.advertise(b4a.alloc(32, i + 1)))
    const copies = sdks.slice(1).map((sdk) => sdk.Hyperdrive(drive.key))
    const texts = await Promise.all(
      copies.map(async (copy) => b4a.toString((await copy.get('/hello.txt'))!)),
    )
    for (const text of texts) assert.is(text, 'hello from 0')
    await eventually(() => gossips.every((g) => g.list().length === N), { timeout: 60_000 })
    const ms = Date.now() - started
    assert.equal(duplicatedConnections(nets), [], 'one connection per remote key')
    const conns = nets.reduce((sum, n) => sum + n.peers.length, 0)
    console.log(`${N} SDKs converged in ${ms} ms over ${conns / 2} connections`)
  } finally {
    await t.run()
  }
})

test.run()
