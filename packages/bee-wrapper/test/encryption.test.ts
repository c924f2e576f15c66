import crypto from 'node:crypto'
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
} from '@dat-sdk/test-utils'
import { Bee } from '@dat-sdk/bee-wrapper'

const test = suite('Bee encryption')

/** True when `text` holds `key` in any spelling: hex, z-base-32, or bytes as inspect shows them. */
function showsKey(text: string, key: Uint8Array): boolean {
  const bytes = [...key.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  return text.includes(toHex(key)) || text.includes(toZ32(key)) || text.includes(bytes)
}

const utf8 = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const

async function writerBee(t: Teardown, key: KeyLike | null) {
  const store = t.add(Store.temp())
  const bee = t.add(new Bee(store, 'private', { ...utf8, encryptionKey: key }))
  await bee.ready()
  for (let i = 0; i < 20; i++) await bee.put(`key-${String(i).padStart(2, '0')}`, `value ${i}`)
  return { store, bee }
}

async function readerOf(
  t: Teardown,
  writer: { store: Store; bee: Bee<string, string> },
  key?: KeyLike | null,
) {
  const store = t.add(Store.temp())
  const bee = t.add(new Bee(store, writer.bee.key, { ...utf8, encryptionKey: key }))
  await bee.ready()
  const pair = replicatePair(writer.store, store)
  t.add(() => pair.close())
  return { store, bee }
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}

test('an encrypted bee round-trips to a reader with the key, in every key spelling', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const writer = await writerBee(t, key)
    assert.ok(writer.bee.encrypted)
    assert.ok(Buffer.from(writer.bee.encryptionKey!).equals(key))
    assert.is((await writer.bee.get('key-03'))!.value, 'value 3')
    const shown = util.inspect(writer.bee, { depth: 8 })
    assert.ok(shown.includes('encrypted: true'))
    assert.not.ok(showsKey(shown, key), 'inspecting the Bee does not show its key')

    for (const spelling of [key, toHex(key), toZ32(key)]) {
      const reader = await readerOf(t, writer, spelling)
      assert.ok(reader.bee.encrypted)
      await reader.bee.update({ wait: true })
      assert.is((await reader.bee.get('key-07'))!.value, 'value 7')
      const all = await collect(reader.bee.createReadStream())
      assert.is(all.length, 20)
      assert.is(all[19].value, 'value 19')
      assert.is((await reader.bee.peek())!.key, 'key-00')
      const sub = reader.bee.checkout(reader.bee.version)
      assert.is((await sub.get('key-01'))!.value, 'value 1')
    }
  } finally {
    await t.run()
  }
})

test('a reader without the key, or with a wrong one, gets DECRYPTION_FAILED, never ciphertext', async () => {
  const t = teardown()
  try {
    const writer = await writerBee(t, crypto.randomBytes(32))
    for (const key of [null, crypto.randomBytes(32)]) {
      const reader = await readerOf(t, writer, key)
      // The reader has the bee's length from its peer: its blocks can be read now.
      assert.ok(await reader.bee.update({ wait: true }))
      assert.is(reader.bee.version, writer.bee.version)
      await assertRejectsCode(reader.bee.get('key-07'), 'DECRYPTION_FAILED')
      await assertRejectsCode(collect(reader.bee.createReadStream()), 'DECRYPTION_FAILED')
      await assertRejectsCode(collect(reader.bee.createHistoryStream()), 'DECRYPTION_FAILED')
      await assertRejectsCode(reader.bee.peek(), 'DECRYPTION_FAILED')
      await assertRejectsCode(reader.bee.sub('x').get('y'), 'DECRYPTION_FAILED')
      await assertRejectsCode(reader.bee.getAndWatch('key-07'), 'DECRYPTION_FAILED')
    }
  } finally {
    await t.run()
  }
})

test('a stream opened before the first block arrives still waits for the header check', async () => {
  const t = teardown()
  try {
    const writer = await writerBee(t, crypto.randomBytes(32))
    const reader = await readerOf(t, writer, crypto.randomBytes(32))
    // Nothing is checked yet: the stream is the guarded one, and it fails once blocks arrive.
    const stream = reader.bee.createReadStream()
    await assertRejectsCode(
      (async () => {
        await reader.bee.update({ wait: true })
        return collect(stream)
      })(),
      'DECRYPTION_FAILED',
    )
  } finally {
    await t.run()
  }
})

test('a malformed encryptionKey is INVALID_KEY; an unencrypted bee says it is not', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    for (const bad of ['nope', 'ab'.repeat(30), new Uint8Array(33)]) {
      assertThrowsCode(() => new Bee(store, null, { encryptionKey: bad }), 'INVALID_KEY')
    }
    const plain = t.add(new Bee(store, 'plain'))
    await plain.ready()
    assert.not.ok(plain.encrypted)
    assert.is(plain.encryptionKey, null)
  } finally {
    await t.run()
  }
})

test.run()
