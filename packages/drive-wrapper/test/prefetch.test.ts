import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { teardown, eventually, replicatePair, type Teardown } from '@dat-sdk/test-utils'
import { Drive } from '@dat-sdk/drive-wrapper'
import { binary } from './helpers.js'
import { fetchIndex, type IndexDownload } from '../src/prefetch.js'

const test = suite('Drive prefetch of a remote drive')

const SMALL = Array.from({ length: 40 }, (_, i) => `/small/file-${String(i).padStart(2, '0')}.bin`)
const BIG = '/big.bin' // over the 1 MiB a listing fetches ahead

/** A writer with 40 small files and one big one, and a connected reader that has seen them. */
async function pair(t: Teardown): Promise<{ writer: Drive; reader: Drive }> {
  const writerStore = t.add(Store.temp())
  const writer = t.add(new Drive(writerStore))
  await writer.ready()
  for (const [i, name] of SMALL.entries()) await writer.put(name, binary(4096, i))
  await writer.put(BIG, binary(1536 * 1024, 99))
  const readerStore = t.add(Store.temp())
  const reader = t.add(new Drive(readerStore, writer.key))
  await reader.ready()
  const streams = replicatePair(writerStore, readerStore)
  t.add(() => streams.close())
  await eventually(async () => (await reader.update({ wait: true })) || reader.version > 1, {
    timeout: 20_000,
  })
  return { writer, reader }
}

test('a remote drive downloads its whole file index in the background once open', async () => {
  const t = teardown()
  try {
    const { writer, reader } = await pair(t)
    // Nothing was listed or read: the index (db core) still arrives whole.
    await eventually(
      () => reader.hyperdrive.core.contiguousLength === writer.hyperdrive.core.length,
      { timeout: 10_000 },
    )
  } finally {
    await t.run()
  }
})

test('listing a remote drive fetches the small files it lists, not the big ones', async () => {
  const t = teardown()
  try {
    const { reader } = await pair(t)
    const listed: string[] = []
    for await (const entry of reader.list('/')) listed.push(entry.key)
    assert.equal(listed.sort(), [BIG, ...SMALL].sort())
    // No get(): every small file's blocks arrive because they were listed.
    await eventually(
      async () => {
        for (const name of SMALL) {
          const entry = await reader.entry(name)
          const blob = entry!.value.blob!
          const blobs = (await reader.hyperdrive.getBlobs())!
          if (!(await blobs.core.has(blob.blockOffset, blob.blockOffset + blob.blockLength)))
            return false
        }
        return true
      },
      { timeout: 10_000 },
    )
    // The big file was left for when it is read (the small files above are the sentinel).
    const big = (await reader.entry(BIG))!.value.blob!
    const blobs = (await reader.hyperdrive.getBlobs())!
    assert.not.ok(await blobs.core.has(big.blockOffset, big.blockOffset + big.blockLength))
    const got = await reader.get(BIG)
    assert.ok(got && Buffer.from(got).equals(binary(1536 * 1024, 99)))
  } finally {
    await t.run()
  }
})

test('a listing of a drive we write is the plain listing', async () => {
  const t = teardown()
  try {
    const { writer } = await pair(t)
    const listed: string[] = []
    for await (const entry of writer.list('/small', { recursive: false })) listed.push(entry.key)
    assert.equal(listed.sort(), SMALL)
  } finally {
    await t.run()
  }
})

/**
 * A core of ten blocks, its writer, and a reader that reaches it only through a peer in the
 * middle which holds the first `held` blocks (the writer is gone by then).
 */
async function relayed(t: Teardown, held: number) {
  const writerStore = t.add(Store.temp())
  const writerCore = writerStore.corestore.get({ name: 'index' })
  await writerCore.ready()
  for (let i = 0; i < 10; i++) await writerCore.append(Buffer.from(`block ${i}`))
  const middleStore = t.add(Store.temp())
  const middle = middleStore.corestore.get({ key: writerCore.key! })
  const first = replicatePair(writerStore, middleStore)
  await middle.update({ wait: true })
  await middle.download({ start: 0, end: held }).done()
  await first.close()
  const readerStore = t.add(Store.temp())
  const reader = readerStore.corestore.get({ key: writerCore.key! })
  const second = replicatePair(middleStore, readerStore)
  t.add(() => second.close())
  await reader.update({ wait: true })
  // The middle's holdings as the reader sees them, before fetchIndex looks at them.
  await eventually(() => reader.peers[0]?.remoteContiguousLength === held)
  return reader
}

test('fetchIndex: a peer holds the whole index, so it arrives as one range, waited for', async () => {
  const t = teardown()
  try {
    const reader = await relayed(t, 10)
    const tracked: (IndexDownload | null)[] = []
    await fetchIndex(reader, 10, (range) => tracked.push(range))
    assert.is(reader.contiguousLength, 10)
    assert.is(tracked.length, 2, 'the range was handed out, then taken back')
    assert.ok(tracked[0] !== null && tracked[1] === null)
  } finally {
    await t.run()
  }
})

test('fetchIndex: no peer holds the whole index, so it returns without a range that could never end', async () => {
  const t = teardown()
  try {
    const reader = await relayed(t, 5)
    const tracked: (IndexDownload | null)[] = []
    // Waiting for blocks 5..9, which nobody has, would never end: this must return.
    let timer: NodeJS.Timeout | undefined
    const stuck = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), 10_000)
    })
    const done = fetchIndex(reader, 10, (range) => tracked.push(range)).then(() => 'returned')
    assert.is(await Promise.race([done, stuck]), 'returned')
    clearTimeout(timer)
    assert.is(tracked.length, 0)
    // The listing still reads what the peer has.
    const block = await reader.get(4, { timeout: 10_000 })
    assert.ok(block instanceof Uint8Array)
    assert.is(Buffer.from(block).toString(), 'block 4')
  } finally {
    await t.run()
  }
})

test.run()
