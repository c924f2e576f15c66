// A Drive writes files in 1 MiB blocks by default (the `blockSize` option), by `put()` and by a
// write stream alike, whatever sizes the stream is written in; a replica reads them back whole.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { teardown } from '@dat-sdk/test-utils'
import { Drive, type DriveWriteStream } from '@dat-sdk/drive-wrapper'

const test = suite('Drive blockSize')

const KiB = 1024
const MiB = 1024 * KiB

/** Writes `bytes` to `ws` in `chunk`-sized writes, waiting for drains; resolves once stored. */
async function writeIn(ws: DriveWriteStream, bytes: Uint8Array, chunk: number): Promise<void> {
  const stored = new Promise<void>((resolve, reject) => {
    ws.once('close', () => resolve())
    ws.once('error', reject)
  })
  for (let at = 0; at < bytes.byteLength; at += chunk) {
    if (!ws.write(bytes.subarray(at, at + chunk))) {
      await new Promise((resolve) => ws.once('drain', resolve))
    }
  }
  ws.end()
  await stored
}

async function blocksOf(drive: Drive, path: string): Promise<number> {
  const entry = await drive.entry(path)
  assert.ok(entry?.value.blob, `${path} has a blob`)
  return entry.value.blob.blockLength
}

async function read(drive: Drive, path: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of drive.createReadStream(path)) parts.push(part)
  return Buffer.concat(parts)
}

test('by default put() and a write stream store 1 MiB blocks, whatever the chunks', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const drive = t.add(new Drive(store))
    await drive.ready()
    assert.is(drive.blockSize, MiB)
    const bytes = crypto.randomBytes(2 * MiB + 10)
    await drive.put('/put.bin', bytes)
    await writeIn(drive.createWriteStream('/small-chunks.bin'), bytes, 64 * KiB)
    // Chunks that straddle block edges, bigger than a block too.
    await writeIn(drive.createWriteStream('/odd-chunks.bin'), bytes, 1.5 * MiB + 7)
    for (const path of ['/put.bin', '/small-chunks.bin', '/odd-chunks.bin']) {
      assert.is(await blocksOf(drive, path), 3, path)
      assert.ok(Buffer.from(await read(drive, path)).equals(bytes), path)
      assert.ok(Buffer.from((await drive.get(path))!).equals(bytes), path)
    }
    // A file smaller than a block is one block; an empty file none.
    await writeIn(drive.createWriteStream('/tiny.txt'), Buffer.from('hi'), 1)
    assert.is(await blocksOf(drive, '/tiny.txt'), 1)
    assert.is(Buffer.from((await drive.get('/tiny.txt'))!).toString(), 'hi')
  } finally {
    await t.run()
  }
})

test('the blockSize option sets the block size; a bad one is a TypeError', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const drive = t.add(new Drive(store, null, { blockSize: 64 * KiB }))
    await drive.ready()
    const bytes = crypto.randomBytes(200 * KiB)
    await drive.put('/put.bin', bytes)
    await writeIn(drive.createWriteStream('/streamed.bin'), bytes, 10 * KiB)
    assert.is(await blocksOf(drive, '/put.bin'), 4)
    assert.is(await blocksOf(drive, '/streamed.bin'), 4)
    assert.ok(Buffer.from((await drive.get('/streamed.bin'))!).equals(bytes))
    for (const blockSize of [0, 512, 1024.5, 5 * MiB, NaN]) {
      assert.throws(
        () => new Drive(store, null, { blockSize }),
        (err: unknown) => err instanceof TypeError,
        String(blockSize),
      )
    }
  } finally {
    await t.run()
  }
})

test("a folder synced into a drive is stored in the drive's blocks too", async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('block-size-folder')
    const bytes = crypto.randomBytes(2 * MiB + 10)
    fs.writeFileSync(path.join(dir, 'big.bin'), bytes)
    const store = t.add(Store.temp())
    const drive = t.add(new Drive(store, null, { blockSize: 512 * KiB }))
    await drive.ready()
    const sync = t.add(drive.syncFolder(dir, { live: false }))
    await sync.ready()
    // fs reads it in 64 KiB chunks; the drive stores five blocks of 512 KiB (the last short).
    assert.is(await blocksOf(drive, '/big.bin'), 5)
    assert.ok(Buffer.from((await drive.get('/big.bin'))!).equals(bytes))
  } finally {
    await t.run()
  }
})

test('a write stream destroyed part-way stores nothing and says so', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const drive = t.add(new Drive(store))
    await drive.ready()
    const ws = drive.createWriteStream('/cut.bin')
    const errors: Error[] = []
    ws.on('error', (err: Error) => errors.push(err))
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
    ws.write(crypto.randomBytes(3 * MiB))
    ws.destroy(new Error('cut'))
    await closed
    assert.ok(ws.destroyed)
    assert.equal(
      errors.map((e) => e.message),
      ['cut'],
    )
    assert.is(await drive.entry('/cut.bin'), null)
  } finally {
    await t.run()
  }
})

test.run()
