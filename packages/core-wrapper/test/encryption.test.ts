import crypto from 'crypto'
import util from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store, toHex, toZ32 } from '@dat-sdk/store'
import { assertThrowsCode, replicatePair, teardown } from '@dat-sdk/test-utils'
import { Core } from '@dat-sdk/core-wrapper'

const test = suite('Core encryption')

/** True when `text` holds `key` in any spelling: hex, z-base-32, or bytes as inspect shows them. */
function showsKey(text: string, key: Uint8Array): boolean {
  const bytes = [...key.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  return text.includes(toHex(key)) || text.includes(toZ32(key)) || text.includes(bytes)
}

test('an encrypted core round-trips to a reader with the key, in every key spelling', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const storeA = t.add(Store.temp())
    const writer = t.add(Core.from(storeA, { name: 'secret' }, { encryptionKey: toHex(key) }))
    await writer.ready()
    assert.ok(writer.encrypted)
    assert.ok(b4a.equals(writer.encryptionKey!, key))
    await writer.append([b4a.from('one'), b4a.from('two')])
    assert.is(b4a.toString((await writer.get(1))!), 'two')
    const shown = util.inspect(writer, { depth: 8 })
    assert.ok(shown.includes('encrypted: true'))
    assert.not.ok(showsKey(shown, key), 'inspecting the Core does not show its key')

    for (const spelling of [key, toHex(key), toZ32(key)]) {
      const storeB = t.add(Store.temp())
      const reader = t.add(Core.from(storeB, writer.key, { encryptionKey: spelling }))
      await reader.ready()
      const pair = replicatePair(storeA, storeB)
      t.add(() => pair.close())
      await reader.update({ wait: true })
      assert.is(reader.length, 2)
      assert.is(b4a.toString((await reader.get(0))!), 'one')
      assert.is(b4a.toString((await reader.get(1))!), 'two')
      assert.ok(reader.encrypted)
    }
  } finally {
    await t.run()
  }
})

test('a reader without the key gets ciphertext, not the plaintext (a bare Core cannot tell)', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const writer = t.add(
      Core.from(storeA, { name: 'secret' }, { encryptionKey: crypto.randomBytes(32) }),
    )
    await writer.ready()
    await writer.append(b4a.from('plaintext marker'))
    const reader = t.add(Core.from(storeB, writer.key))
    await reader.ready()
    assert.not.ok(reader.encrypted)
    assert.is(reader.encryptionKey, null)
    const pair = replicatePair(storeA, storeB)
    t.add(() => pair.close())
    await reader.update({ wait: true })
    const block = (await reader.get(0))!
    assert.ok(block.byteLength > 0)
    assert.is(b4a.indexOf(block, b4a.from('plaintext marker')), -1)
  } finally {
    await t.run()
  }
})

test('an unencrypted core says so', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const core = t.add(Core.from(store, { name: 'plain' }))
    await core.ready()
    assert.not.ok(core.encrypted)
    assert.is(core.encryptionKey, null)
  } finally {
    await t.run()
  }
})

test('a malformed encryptionKey is INVALID_KEY, and the message does not repeat it', () => {
  const store = Store.temp()
  try {
    for (const bad of ['not-a-key', 'ab'.repeat(31), new Uint8Array(16)]) {
      assertThrowsCode(() => Core.from(store, { name: 'x' }, { encryptionKey: bad }), 'INVALID_KEY')
    }
    try {
      Core.from(store, { name: 'x' }, { encryptionKey: 'secret-ish-words' })
      assert.unreachable('should throw')
    } catch (err) {
      assert.not.ok(String((err as Error).message).includes('secret-ish-words'))
    }
  } finally {
    void store.close()
  }
})

test.run()
