import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import z32 from 'z32'
import { parseRef, toHex, toKey, toURL, toZ32, type Ref } from '@dat-sdk/store'
import { assertThrowsCode } from '@dat-sdk/test-utils'

const test = suite('keys and URLs')

const KEY = b4a.from('a1'.repeat(32), 'hex')
const HEX = 'a1'.repeat(32)
const Z = z32.encode(KEY)

function keyOf(ref: Ref | null): string {
  assert.ok(ref && 'key' in ref, `expected a key, got ${JSON.stringify(ref)}`)
  return b4a.toString((ref as { key: Uint8Array }).key, 'hex')
}

test('every spelling of a key gives the same key', () => {
  const spellings = [
    KEY,
    HEX,
    HEX.toUpperCase(),
    Z,
    `hyper://${HEX}`,
    `hyper://${HEX}/`,
    `hyper://${Z}/some/path.txt`,
    `dat://${HEX}`,
    `dat://${Z}/x`,
    `HYPER://${HEX}/`,
    `hyper://${Z}+12/`,
  ]
  for (const s of spellings) assert.is(keyOf(parseRef(s)), HEX, String(s))
})

test('toURL, toHex and toZ32 round-trip', () => {
  assert.is(toURL(KEY), `hyper://${Z}/`)
  assert.is(toHex(KEY), HEX)
  assert.is(toZ32(HEX), Z)
  assert.is(keyOf(parseRef(toURL(KEY))), HEX)
  assert.equal(toKey(toURL(KEY)), KEY)
})

test('domains, folders, names and null', () => {
  assert.equal(parseRef('hyper://example.com/x/y'), { domain: 'example.com', path: '/x/y' })
  assert.equal(parseRef('dat://Sub.Example.org'), { domain: 'sub.example.org', path: '/' })
  assert.equal(parseRef('./photos'), { folder: './photos' })
  assert.equal(parseRef('../up'), { folder: '../up' })
  assert.equal(parseRef('/abs/dir'), { folder: '/abs/dir' })
  assert.equal(parseRef('my-feed'), { name: 'my-feed' })
  assert.equal(parseRef('g'.repeat(64)), { name: 'g'.repeat(64) }, '64 non-hex chars is a name')
  assert.equal(
    parseRef('a1'.repeat(31) + 'a'),
    { name: 'a1'.repeat(31) + 'a' },
    '63 hex chars is a name',
  )
  assert.is(parseRef(null), null)
  assert.is(parseRef(undefined), null)
})

test('malformed keys and URLs are INVALID_KEY', () => {
  const bad: unknown[] = [
    'hyper://',
    'dat://',
    'hyper:///path',
    'hyper://xyz',
    `hyper://${HEX.slice(1)}`,
    `hyper://${HEX}0`,
    `hyper://${'l'.repeat(52)}`, // 'l' is outside the z-base-32 alphabet
    `dat://${'v'.repeat(52)}`,
    'hyper://-bad-.com',
    '',
    new Uint8Array(31),
    new Uint8Array(33),
    42,
    {},
  ]
  for (const input of bad) assertThrowsCode(() => parseRef(input as string), 'INVALID_KEY')
  assertThrowsCode(() => toURL('not-a-key'), 'INVALID_KEY')
  assertThrowsCode(() => toHex(new Uint8Array(5)), 'INVALID_KEY')
})

test.run()
