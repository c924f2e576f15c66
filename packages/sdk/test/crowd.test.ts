// A flash crowd: readers of one core find each other (a reader announces the core as well as
// looking it up) and serve each other blocks, so the author uploads well under one copy per
// reader; a hyper-sdk reader (raw hypercore, corestore and Hyperswarm) in the crowd still gets
// every block. All on one loopback testnet.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import * as HyperSDK from 'hyper-sdk'
import type { SDK } from '@dat-sdk/sdk'
import type { Core } from '@dat-sdk/core-wrapper'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { sdkOn } from './helpers/sdks.js'

const test = suite('sdk: a flash crowd shares')

const BLOCK_SIZE = 16 * 1024
const BLOCKS = 256 // 4 MiB
const READERS = 4

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

function block(i: number): Uint8Array {
  const b = b4a.alloc(BLOCK_SIZE, i & 0xff)
  b[0] = i >> 8
  return b
}

/** Every block of `core` equals the author's, read locally only (no waiting on peers). */
async function holdsAll(core: { get(i: number, o: { wait: false }): Promise<unknown> }) {
  for (let i = 0; i < BLOCKS; i++) {
    const got = await core.get(i, { wait: false })
    assert.ok(got instanceof Uint8Array && b4a.equals(got, block(i)), `block ${i}`)
  }
}

async function authorOn(sdk: SDK): Promise<Core> {
  const core = sdk.Hypercore('crowd')
  for (let i = 0; i < BLOCKS; i += 64) {
    await core.append(Array.from({ length: 64 }, (_, j) => block(i + j)))
  }
  await sdk.flush(core)
  return core
}

test('4 SDK readers of one core connect to each other once and share the upload', async () => {
  const t = teardown()
  try {
    const author = await sdkOn(t, testnet)
    const core = await authorOn(author)
    const readers = await Promise.all(Array.from({ length: READERS }, () => sdkOn(t, testnet)))
    const copies = readers.map((sdk) => sdk.Hypercore(core.key!))
    await Promise.all(copies.map((c) => c.ready()))
    // A reader announces the core once it holds a block of it: one each, then each is connected
    // to the author and to every other reader, exactly once (the others' lookups find it, and
    // the swarm keeps one connection per pair).
    await Promise.all(copies.map((c) => c.get(0)))
    await eventually(() => readers.every((sdk) => sdk.networker.peers.length === READERS), {
      timeout: 20_000,
    })
    await eventually(() => copies.every((c) => c.peers().length === READERS), { timeout: 20_000 })
    const before = core.stats().uploadedBytes
    await Promise.all(copies.map((c) => c.download({ start: 0, end: BLOCKS }).done()))
    for (const copy of copies) await holdsAll(copy)
    const uploaded = (core.stats().uploadedBytes - before) / (BLOCKS * BLOCK_SIZE)
    const fromReaders = copies.reduce((sum, c) => sum + c.stats().uploadedBytes, 0)
    console.log(`author uploaded ${uploaded.toFixed(2)}x the data to ${READERS} readers`)
    assert.ok(fromReaders > 0, 'the readers served each other')
    assert.ok(uploaded < READERS - 1, `the author uploaded ${uploaded.toFixed(2)}x, not < 3x`)
    for (const sdk of readers) assert.is(sdk.networker.peers.length, READERS, 'no duplicates')
  } finally {
    await t.run()
  }
})

test('a hyper-sdk reader in a crowd of SDK readers gets every block', async () => {
  const t = teardown()
  try {
    const author = await sdkOn(t, testnet)
    const core = await authorOn(author)
    const readers = await Promise.all(Array.from({ length: READERS - 1 }, () => sdkOn(t, testnet)))
    // hyper-sdk destroys the swarm it is given on close(); the testnet also destroys it.
    const theirs = t.add(
      await HyperSDK.create({ storage: t.tmpDir('crowd-hyper-sdk'), swarm: testnet.swarm() }),
    )
    const copies = readers.map((sdk) => sdk.Hypercore(core.key!))
    const raw = await theirs.get(core.url!)
    await Promise.all(copies.map((c) => c.ready()))
    await Promise.all([
      ...copies.map((c) => c.download({ start: 0, end: BLOCKS }).done()),
      raw.download({ start: 0, end: BLOCKS }).done(),
    ])
    for (const copy of copies) await holdsAll(copy)
    await holdsAll(raw)
  } finally {
    await t.run()
  }
})

test.run()
