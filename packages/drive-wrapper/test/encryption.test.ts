import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import util from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

import { Store, toHex, toZ32, type KeyLike } from '@dat-sdk/store'
import {
  assertRejectsCode,
  assertThrowsCode,
  replicatePair,
  teardown,
  type Teardown,
  filesHolding,
} from '@dat-sdk/test-utils'
import { Drive, type DriveEntry } from '@dat-sdk/drive-wrapper'
import { binary, storeIn } from './helpers.js'

const test = suite('Drive encryption')

/** True when `text` holds `key` in any spelling: hex, z-base-32, or bytes as inspect shows them. */
function showsKey(text: string, key: Uint8Array): boolean {
  const bytes = [...key.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  return text.includes(toHex(key)) || text.includes(toZ32(key)) || text.includes(bytes)
}

const MARKER = 'PLAINTEXT-MARKER-7f3a9c'

/** A writer drive (encrypted with `key`, if given) holding a few files, in a store of its own. */
async function writerDrive(t: Teardown, key: KeyLike | null, dir = t.tmpDir()) {
  const store = storeIn(t, dir)
  const drive = t.add(new Drive(store, 'private', { encryptionKey: key }))
  await drive.ready()
  await drive.put('/hello.txt', 'hello secret world')
  await drive.put('/big.bin', binary(200 * 1024, 3))
  await drive.put(`/marker.txt`, `${MARKER} `.repeat(64))
  return { store, drive, dir }
}

/** A reader of `writer` in a store of its own (with `key`, if given), replicating with it. */
async function readerOf(t: Teardown, writer: { store: Store; drive: Drive }, key?: KeyLike | null) {
  const dir = t.tmpDir()
  const store = storeIn(t, dir)
  const drive = t.add(new Drive(store, writer.drive.key, { encryptionKey: key }))
  await drive.ready()
  const pair = replicatePair(writer.store, store)
  t.add(() => pair.close())
  return { store, drive, dir }
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}

test('an encrypted drive round-trips to a reader with the key, in every key spelling', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const writer = await writerDrive(t, key)
    assert.ok(writer.drive.encrypted)
    assert.ok(Buffer.from(writer.drive.encryptionKey!).equals(key))
    assert.is(await writer.drive.readFile('/hello.txt', 'utf-8'), 'hello secret world')
    // The key is not part of the drive's URL or of what it shows when inspected (logged).
    assert.not.ok(showsKey(writer.drive.url!, key))
    const shown = util.inspect(writer.drive, { depth: 8 })
    assert.ok(shown.includes('encrypted: true'))
    assert.not.ok(showsKey(shown, key), 'inspecting the Drive does not show its key')

    for (const spelling of [key, toHex(key), toZ32(key)]) {
      const reader = await readerOf(t, writer, spelling)
      assert.ok(reader.drive.encrypted)
      await reader.drive.update({ wait: true })
      assert.is(reader.drive.version, writer.drive.version)
      assert.is(await reader.drive.readFile('/hello.txt', 'utf-8'), 'hello secret world')
      assert.ok(Buffer.from((await reader.drive.get('/big.bin'))!).equals(binary(200 * 1024, 3)))
      const listed = (await collect<DriveEntry>(reader.drive.list('/'))).map((e) => e.key)
      assert.equal(listed.sort(), ['/big.bin', '/hello.txt', '/marker.txt'])
      const streamed = Buffer.concat(await collect(reader.drive.createReadStream('/hello.txt')))
      assert.is(streamed.toString(), 'hello secret world')
      assert.ok((await reader.drive.entry('/hello.txt'))!.value.blob)
    }
  } finally {
    await t.run()
  }
})

test('the author reopens its encrypted drive with the key after a restart', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const dir = t.tmpDir()
    const first = await writerDrive(t, key, dir)
    const driveKey = first.drive.key!
    await first.drive.close()
    await first.store.close()
    const store = storeIn(t, dir)
    const again = t.add(new Drive(store, 'private', { encryptionKey: toZ32(key) }))
    await again.ready()
    assert.ok(Buffer.from(again.key!).equals(driveKey))
    assert.is(await again.readFile('/hello.txt', 'utf-8'), 'hello secret world')
    await again.put('/more.txt', 'more')
    assert.is(await again.readFile('/more.txt', 'utf-8'), 'more')
  } finally {
    await t.run()
  }
})

test('a reader without the key, or with a wrong one, gets DECRYPTION_FAILED, never ciphertext', async () => {
  const t = teardown()
  try {
    const writer = await writerDrive(t, crypto.randomBytes(32))
    for (const key of [null, crypto.randomBytes(32)]) {
      const reader = await readerOf(t, writer, key)
      assert.is(reader.drive.encrypted, key !== null)
      // The reader has the drive's length from its peer: its blocks can be read now.
      assert.ok(await reader.drive.update({ wait: true }))
      assert.is(reader.drive.version, writer.drive.version)
      await assertRejectsCode(reader.drive.get('/hello.txt'), 'DECRYPTION_FAILED')
      await assertRejectsCode(reader.drive.readFile('/hello.txt', 'utf-8'), 'DECRYPTION_FAILED')
      await assertRejectsCode(reader.drive.entry('/hello.txt'), 'DECRYPTION_FAILED')
      await assertRejectsCode(reader.drive.exists('/hello.txt'), 'DECRYPTION_FAILED')
      await assertRejectsCode(collect(reader.drive.list('/')), 'DECRYPTION_FAILED')
      await assertRejectsCode(
        collect(reader.drive.createReadStream('/hello.txt')),
        'DECRYPTION_FAILED',
      )
      await assertRejectsCode(reader.drive.put('/x', 'y'), 'DECRYPTION_FAILED')
    }
  } finally {
    await t.run()
  }
})

test('a folder sync of a drive read with a wrong key fails DECRYPTION_FAILED and writes nothing', async () => {
  const t = teardown()
  try {
    const writer = await writerDrive(t, crypto.randomBytes(32))
    const reader = await readerOf(t, writer, crypto.randomBytes(32))
    assert.ok(await reader.drive.update({ wait: true }))
    const folder = path.join(t.tmpDir(), 'clone')
    const sync = reader.drive.syncFolder(folder, { live: false })
    sync.on('error', () => {})
    await assertRejectsCode(sync.ready(), 'DECRYPTION_FAILED')
    const written = fs.existsSync(folder)
      ? fs.readdirSync(folder).filter((name) => name !== '.dat')
      : []
    assert.equal(written, [])
    await sync.close()
  } finally {
    await t.run()
  }
})

test('the author opening its encrypted drive with a wrong key or none: DECRYPTION_FAILED', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    const first = await writerDrive(t, crypto.randomBytes(32), dir)
    await first.drive.close()
    await first.store.close()
    for (const key of [null, crypto.randomBytes(32)]) {
      const store = storeIn(t, dir)
      const drive = t.add(new Drive(store, 'private', { encryptionKey: key }))
      await assertRejectsCode(drive.ready(), 'DECRYPTION_FAILED')
      await assertRejectsCode(drive.readFile('/hello.txt'), 'DECRYPTION_FAILED')
      await drive.close()
      await store.close()
    }
  } finally {
    await t.run()
  }
})

test('the storage of a peer replicating an encrypted drive holds no plaintext (a control does)', async () => {
  const t = teardown()
  try {
    const found: Record<string, Record<string, number>> = {}
    for (const encrypted of [false, true]) {
      const key = encrypted ? crypto.randomBytes(32) : null
      const writer = await writerDrive(t, key)
      // A reader with the key, and a relay without it (as a blind peer): it keeps both cores.
      const reader = await readerOf(t, writer, key)
      await reader.drive.update({ wait: true })
      await reader.drive.download('/').done()
      assert.ok((await reader.drive.readFile('/marker.txt', 'utf-8'))!.startsWith(MARKER))
      const relayDir = t.tmpDir()
      const relay = storeIn(t, relayDir)
      const pair = replicatePair(writer.store, relay)
      for (const coreKey of [writer.drive.key!, writer.drive.contentKey!]) {
        const core = relay.get(coreKey)
        await core.update({ wait: true })
        await core.download({ start: 0, end: core.length }).done()
        assert.ok(
          core.length > 0 && core.contiguousLength === core.length,
          'the relay holds it all',
        )
        await core.close()
      }
      await pair.close()
      // Close the peers so that everything they hold is on disk, then look at the bytes.
      await relay.close()
      await reader.drive.close()
      await reader.store.close()
      await writer.drive.close()
      await writer.store.close()
      found[encrypted ? 'encrypted' : 'plain'] = {
        writer: filesHolding(writer.dir, MARKER).length,
        reader: filesHolding(reader.dir, MARKER).length,
        relay: filesHolding(relayDir, MARKER).length,
      }
    }
    for (const peer of ['writer', 'reader', 'relay']) {
      assert.ok(found.plain[peer] > 0, `the control finds the marker in the ${peer}'s storage`)
      assert.is(found.encrypted[peer], 0, `the ${peer}'s encrypted storage holds no marker`)
    }
  } finally {
    await t.run()
  }
})

test('a malformed encryptionKey is INVALID_KEY and the message does not repeat it', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    for (const bad of ['not a key', 'ab'.repeat(33), new Uint8Array(31)]) {
      assertThrowsCode(() => new Drive(store, null, { encryptionKey: bad }), 'INVALID_KEY')
    }
    try {
      new Drive(store, null, { encryptionKey: 'hunter2-hunter2' })
      assert.unreachable('should throw')
    } catch (err) {
      assert.not.ok((err as Error).message.includes('hunter2'))
    }
  } finally {
    await t.run()
  }
})

test('an unencrypted drive says so', async () => {
  const t = teardown()
  try {
    const drive = t.add(new Drive(t.add(Store.temp())))
    await drive.ready()
    assert.not.ok(drive.encrypted)
    assert.is(drive.encryptionKey, null)
  } finally {
    await t.run()
  }
})

test.run()
