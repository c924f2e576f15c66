import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, eventually } from '@dat-sdk/test-utils'
import { corePair, connectPair } from './helpers.js'

const test = suite('createReadStream read-ahead')

// 1 KiB blocks: the stream buffers up to 16 KiB on its own, far less than the 200 KiB core.
const BLOCKS = Array.from({ length: 200 }, (_, i) => `block ${i}`.padEnd(1024, '.'))

test('a read stream of a remote core downloads the rest of its range before it is read', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: BLOCKS })
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    const stream = pair.b.createReadStream({ start: 0, end: BLOCKS.length })
    t.add(() => stream.destroy())
    // Read one block, then stop reading: without a read-ahead, hypercore would fetch the next
    // block only when the stream asks for it.
    const first = await new Promise<Buffer>((resolve, reject) => {
      stream.once('readable', () => resolve(stream.read() as Buffer))
      stream.once('error', reject)
    })
    assert.is(first.toString(), BLOCKS[0])
    await eventually(() => pair.b.contiguousLength === BLOCKS.length, { timeout: 10_000 })
  } finally {
    await t.run()
  }
})

test('the stream still reads every block in order, and a stream without an end reads to the length', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: BLOCKS })
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    const got: string[] = []
    for await (const block of pair.b.createReadStream()) got.push(String(block))
    assert.equal(got, BLOCKS)
  } finally {
    await t.run()
  }
})

test('a live stream starts no range download (its end is unknown)', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: BLOCKS })
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    const stream = pair.b.createReadStream({ live: true })
    t.add(() => stream.destroy())
    const first = await new Promise<Buffer>((resolve) => {
      stream.once('readable', () => resolve(stream.read() as Buffer))
    })
    assert.is(first.toString(), BLOCKS[0])
    // The positive sentinel: a block fetched with get() after the first read arrives, so any
    // range download started with the stream would have had the time to fetch far more.
    assert.is(String(await pair.b.get(BLOCKS.length - 1)), BLOCKS.at(-1))
    assert.ok(pair.b.contiguousLength < BLOCKS.length)
  } finally {
    await t.run()
  }
})

test.run()
