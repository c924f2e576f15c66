import crypto from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  HeaderCheck,
  sameEncryptionKey,
  toEncryptionKey,
  toHex,
  toZ32,
  type HeaderCheckOptions,
} from '@dat-sdk/store'
import { assertRejectsCode, assertThrowsCode } from '@dat-sdk/test-utils'

const test = suite('encryption keys and the header check')

test('toEncryptionKey takes every key spelling; a malformed key is INVALID_KEY, not repeated', () => {
  const key = crypto.randomBytes(32)
  for (const spelling of [key, toHex(key), toZ32(key), toHex(key).toUpperCase()]) {
    assert.ok(Buffer.from(toEncryptionKey(spelling)!).equals(key))
  }
  assert.is(toEncryptionKey(null), null)
  assert.is(toEncryptionKey(undefined), null)
  for (const bad of ['a name', 'hyper://example.com', new Uint8Array(31), '00'.repeat(31)]) {
    assertThrowsCode(() => toEncryptionKey(bad), 'INVALID_KEY')
  }
  try {
    toEncryptionKey('correct horse battery staple')
    assert.unreachable('should throw')
  } catch (err) {
    assert.not.ok((err as Error).message.includes('horse'))
  }
  assert.ok(sameEncryptionKey(key, Buffer.from(key)))
  assert.ok(sameEncryptionKey(null, null))
  assert.not.ok(sameEncryptionKey(key, null))
  assert.not.ok(sameEncryptionKey(key, crypto.randomBytes(32)))
})

/** A check over a block 0 that the test says is here (`answer`) or not yet (null). */
function checkOver(length: number, answers: Array<boolean | null | Error>) {
  const calls: HeaderCheckOptions[] = []
  const check = new HeaderCheck(
    'thing',
    async (opts) => {
      calls.push(opts)
      const answer = answers.length > 1 ? answers.shift()! : answers[0]
      if (answer instanceof Error) throw answer
      return answer
    },
    () => length,
  )
  return { check, calls }
}

test('a valid header lets reads through and is remembered', async () => {
  const { check, calls } = checkOver(3, [true])
  assert.is(await check.guard(async () => 'data', {}, 'nope'), 'data')
  assert.is(check.state, 'valid')
  assert.is(await check.guard(async () => 'more', {}, 'nope'), 'more')
  assert.is(calls.length, 1, 'block 0 is read once')
  assert.equal(calls[0], { wait: true, timeout: undefined })
})

test('an invalid header is DECRYPTION_FAILED before the read runs, and stays so', async () => {
  const { check } = checkOver(3, [false])
  let ran = false
  const read = async () => {
    ran = true
    return 'garbage'
  }
  await assertRejectsCode(check.guard(read, {}, null), 'DECRYPTION_FAILED')
  await assertRejectsCode(check.guard(read, {}, null), 'DECRYPTION_FAILED')
  assert.not.ok(ran, 'the read never ran')
  assert.is(check.state, 'invalid')
})

test('without block 0 (wait: false) a read gives null, never content it cannot vouch for', async () => {
  const { check } = checkOver(3, [null])
  assert.is(await check.guard(async () => 'content', { wait: false }, null), null)
  assert.is(await check.guard(async () => null, { wait: false }, null), null)
  assert.is(check.state, 'unchecked')
})

test('a failed read whose block 0 turns out not to be the header is DECRYPTION_FAILED', async () => {
  // Empty at first (nothing to wait for); the read brings blocks, and block 0 is garbage.
  let length = 0
  const check = new HeaderCheck(
    'thing',
    async () => false,
    () => length,
  )
  const read = async () => {
    length = 2
    throw new Error('garbage did not decode')
  }
  await assertRejectsCode(check.guard(read, {}, null), 'DECRYPTION_FAILED')
})

test('a reader that fails (closed, timed out) leaves the check unanswered, never throws', async () => {
  const { check } = checkOver(3, [new Error('closed')])
  assert.is(await check.verify(), 'unchecked')
  const empty = checkOver(0, [true])
  assert.is(await empty.check.verify(), 'unchecked', 'an empty core has no block 0 to check')
  assert.is(empty.calls.length, 0)
})

test.run()
