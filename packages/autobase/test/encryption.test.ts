import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import util from 'node:util'
import { suite } from 'uvu'
import { toHex, toZ32, type KeyLike } from '@dat-sdk/store'
import {
  assertRejectsCode,
  assertThrowsCode,
  eventually,
  replicatePair,
  teardown,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Base } from '../src/index.js'
import { dump, tempBase, writable } from './helpers.js'

const test = suite('encryption')

/** True when `text` holds `key` in any spelling: hex, z-base-32, or bytes as inspect shows them. */
function showsKey(text: string, key: Uint8Array): boolean {
  const bytes = [...key.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  return text.includes(toHex(key)) || text.includes(toZ32(key)) || text.includes(bytes)
}

const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const

async function writerBase(t: Teardown, key: KeyLike | null) {
  const { base } = tempBase<string, string>(t, null, { ...strings, encryptionKey: key })
  await base.ready()
  await base.put('a', 'one')
  await base.put('b', 'two')
  return base
}

test('an encrypted base round-trips to a second writer with the key, in every key spelling', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const a = await writerBase(t, key)
    assert.ok(a.encrypted)
    assert.ok(Buffer.from(a.encryptionKey!).equals(key))
    assert.equal((await a.get('a'))?.value, 'one')
    const shown = util.inspect(a, { depth: 8 })
    assert.ok(shown.includes('encrypted: true'))
    assert.ok(!showsKey(shown, key), 'inspecting the Base does not show its key')

    for (const spelling of [key, toHex(key), toZ32(key)]) {
      const { base: b } = tempBase<string, string>(t, a.key, {
        ...strings,
        encryptionKey: spelling,
      })
      await b.ready()
      assert.ok(b.encrypted)
      const pair = replicatePair(a.autobase, b.autobase)
      t.add(() => pair.close())
      await eventually(async () => {
        await b.update()
        assert.deepEqual(await dump(b), ['a=one', 'b=two'])
        return true
      })
    }
    // A writer added through the log writes encrypted entries that the others read.
    const { base: c } = tempBase<string, string>(t, a.key, { ...strings, encryptionKey: key })
    await c.ready()
    const pair = replicatePair(a.autobase, c.autobase)
    t.add(() => pair.close())
    await a.addWriter(c.localKey!)
    await writable(c)
    await c.put('c', 'three')
    await eventually(async () => {
      await Promise.all([a.update(), c.update()])
      assert.deepEqual(await dump(a), ['a=one', 'b=two', 'c=three'])
      return true
    })
  } finally {
    await t.run()
  }
})

test('a peer without the key, or with a wrong one, gets DECRYPTION_FAILED', async () => {
  const t = teardown()
  try {
    const a = await writerBase(t, crypto.randomBytes(32))
    for (const key of [null, crypto.randomBytes(32)]) {
      const { base: b } = tempBase<string, string>(t, a.key, { ...strings, encryptionKey: key })
      b.on('error', () => {})
      await b.ready()
      const pair = replicatePair(a.autobase, b.autobase)
      t.add(() => pair.close())
      // Once the first writer's log has arrived (a null read is an empty view: nothing yet), a
      // read rejects.
      const code = await eventually(async () => {
        await b.update()
        try {
          await b.get('a')
          return null
        } catch (err) {
          return (err as { code?: string }).code ?? String(err)
        }
      })
      assert.equal(code, 'DECRYPTION_FAILED')
      await assertRejectsCode(dump(b), 'DECRYPTION_FAILED')
    }
  } finally {
    await t.run()
  }
})

test('a malformed encryptionKey is INVALID_KEY; an unencrypted base says it is not', async () => {
  const t = teardown()
  try {
    for (const bad of ['nope', 'ab'.repeat(30), new Uint8Array(12)]) {
      assertThrowsCode(() => tempBase(t, null, { encryptionKey: bad }), 'INVALID_KEY')
    }
    const { base } = tempBase(t, null)
    await base.ready()
    assert.equal(base.encrypted, false)
    assert.equal(base.encryptionKey, null)
  } finally {
    await t.run()
  }
})

test.run()
