import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c from 'compact-encoding'
import { decodeReady, encodeReady, MAX_NAMES, MAX_NAME_BYTES } from '../src/messages.js'
import { codeOf } from '@dat-sdk/test-utils'

const test = suite('ready message')

test('round-trips, with and without names', () => {
  for (const m of [
    { heard: false, names: [] },
    { heard: true, names: ['dat-gossip@1', 'chat', 'é'] },
  ]) {
    assert.equal(decodeReady(encodeReady(m)), m)
  }
})

test('trailing bytes are ignored (room for later fields)', () => {
  const bytes = b4a.concat([encodeReady({ heard: true, names: ['a'] }), b4a.from([7, 7])])
  assert.equal(decodeReady(bytes), { heard: true, names: ['a'] })
})

test('bad input is BAD_MESSAGE', () => {
  const names = c.array(c.string)
  const withNames = (list: string[]) => b4a.concat([b4a.from([0]), c.encode(names, list)])
  const cases: Uint8Array[] = [
    b4a.from([]),
    b4a.from([0]),
    b4a.from([0, 2, 1, 0x61]), // two names promised, one given
    b4a.from([0, 1, 5, 0x61]), // a name cut short
    b4a.from([0, 0xfe, 0xff, 0xff, 0xff, 0xff]), // a huge count with nothing behind it
    withNames(['']),
    withNames(['x'.repeat(MAX_NAME_BYTES + 1)]),
    withNames(Array.from({ length: MAX_NAMES + 1 }, (_, i) => `n${i}`)),
  ]
  for (const bytes of cases)
    assert.is(
      codeOf(() => decodeReady(bytes)),
      'BAD_MESSAGE',
      b4a.toString(bytes, 'hex'),
    )
})

test.run()
