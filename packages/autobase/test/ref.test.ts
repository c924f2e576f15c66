import assert from 'node:assert/strict'
import BlindPairing from 'blind-pairing'
import crypto from 'hypercore-crypto'
import z32 from 'z32'
import { suite } from 'uvu'
import { toHex, toURL, toZ32 } from '@dat-sdk/store'
import { assertRejectsCode, teardown } from '@dat-sdk/test-utils'
import { isInviteRef } from '../src/index.js'
import { tempBase } from './helpers.js'

const test = suite('refs')

const invite = z32.encode(BlindPairing.createInvite(crypto.randomBytes(32)).invite)

test('isInviteRef: whole, cut-short and made-up invites are invites; keys and names are not', () => {
  assert.equal(invite.length, 106)
  assert.equal(isInviteRef(invite), true, 'a whole invite')
  assert.equal(isInviteRef(invite.slice(0, -7)), true, 'cut short by a bad copy')
  assert.equal(isInviteRef('y'.repeat(106)), true, 'made up')
  assert.equal(isInviteRef('y'.repeat(60)), true, '60 z-base-32 letters')
  assert.equal(isInviteRef('y'.repeat(59)), false, 'a name under 60')
  assert.equal(isInviteRef(`${'y'.repeat(80)}-notes`), false, 'a name with a letter outside z32')
  const key = new Uint8Array(32).fill(0x13) // hex "1313…": z-base-32 letters, but a key
  for (const spelling of [toHex(key), toZ32(key), toURL(key)]) {
    assert.equal(isInviteRef(spelling), false, `the key ${spelling}`)
  }
  assert.equal(isInviteRef(key), false, 'key bytes')
  assert.equal(isInviteRef(null), false)
})

test('a Base opened with a cut-short or made-up invite rejects INVITE_INVALID at once', async () => {
  const t = teardown()
  try {
    for (const bad of [invite.slice(0, -7), 'y'.repeat(106)]) {
      const { base } = tempBase(t, bad)
      await assertRejectsCode(base.ready(), 'INVITE_INVALID')
      assert.equal(base.key, null)
    }
  } finally {
    await t.run()
  }
})

test.run()
