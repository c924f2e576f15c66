import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c from 'compact-encoding'
import {
  AnswerCodec,
  DoneCodec,
  HandshakeCodec,
  ManifestCodec,
  RequestCodec,
  capability,
  channelId,
  decode,
  encode,
  parseMajor,
  verifyCapability,
} from '../src/messages.js'

const test = suite('multifeed wire messages')

const KEY_A = b4a.alloc(32, 0xaa)
const KEY_B = b4a.alloc(32, 0xbb)
const CAP = b4a.alloc(32, 7)

function badMessage(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    assert.is((err as { code?: string }).code, 'BAD_MESSAGE')
    return
  }
  assert.unreachable('expected BAD_MESSAGE')
}

test('Handshake round-trips, with and without userData', () => {
  const full = { client: 'MULTIFEED', version: '1.2.3', userData: b4a.from('hi'), capability: CAP }
  const back = decode(HandshakeCodec, encode(HandshakeCodec, full))
  assert.is(back.client, 'MULTIFEED')
  assert.is(back.version, '1.2.3')
  assert.equal(b4a.toString(back.userData!), 'hi')
  assert.ok(b4a.equals(back.capability, CAP))
  const bare = decode(HandshakeCodec, encode(HandshakeCodec, { ...full, userData: null }))
  assert.is(bare.userData, null)
})

test('Handshake: truncated, bad version, oversized fields are BAD_MESSAGE', () => {
  const ok = encode(HandshakeCodec, {
    client: 'MULTIFEED',
    version: '1.0.0',
    userData: null,
    capability: CAP,
  })
  badMessage(() => decode(HandshakeCodec, ok.subarray(0, ok.byteLength - 1)))
  badMessage(() => decode(HandshakeCodec, new Uint8Array(0)))
  badMessage(() =>
    decode(
      HandshakeCodec,
      encode(HandshakeCodec, { client: 'x', version: 'one', userData: null, capability: CAP }),
    ),
  )
  badMessage(() =>
    decode(
      HandshakeCodec,
      encode(HandshakeCodec, {
        client: 'x'.repeat(65),
        version: '1.0.0',
        userData: null,
        capability: CAP,
      }),
    ),
  )
  badMessage(() =>
    decode(
      HandshakeCodec,
      encode(HandshakeCodec, {
        client: 'x',
        version: '1.0.0',
        userData: new Uint8Array(64 * 1024 + 1),
        capability: CAP,
      }),
    ),
  )
})

test('Manifest round-trips and costs at most 40 bytes a feed', () => {
  const feeds = [
    { key: KEY_A, length: 0 },
    { key: KEY_B, length: 2 ** 40 },
  ]
  const back = decode(ManifestCodec, encode(ManifestCodec, { feeds }))
  assert.is(back.feeds.length, 2)
  assert.ok(b4a.equals(back.feeds[0].key, KEY_A))
  assert.is(back.feeds[1].length, 2 ** 40)
  const thousand = Array.from({ length: 1000 }, (_, i) => ({ key: KEY_A, length: i * 1000 }))
  const bytes = encode(ManifestCodec, { feeds: thousand }).byteLength
  assert.ok(bytes / 1000 <= 40, `${bytes / 1000} bytes per feed`)
  assert.is(decode(ManifestCodec, encode(ManifestCodec, { feeds: [] })).feeds.length, 0)
})

test('Manifest: truncated, lying counts and out-of-range lengths are BAD_MESSAGE', () => {
  const ok = encode(ManifestCodec, { feeds: [{ key: KEY_A, length: 5 }] })
  badMessage(() => decode(ManifestCodec, ok.subarray(0, 20)))
  badMessage(() => decode(ManifestCodec, new Uint8Array(0)))
  // claims a million entries in a few bytes: refused before allocating
  badMessage(() => decode(ManifestCodec, c.encode(c.uint, 1_000_000)))
  // a length of 2^64 - 1 does not fit a safe integer
  const huge = b4a.concat([
    c.encode(c.uint, 1),
    KEY_A,
    b4a.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  ])
  badMessage(() => decode(ManifestCodec, huge))
  badMessage(() => decode(ManifestCodec, 'not bytes' as unknown as Uint8Array)) // wrong type on purpose
})

test('Request and Answer round-trip', () => {
  const keys = [KEY_A, KEY_B]
  const req = decode(RequestCodec, encode(RequestCodec, { keys }))
  assert.equal(
    req.keys.map((k) => b4a.toString(k, 'hex')),
    keys.map((k) => b4a.toString(k, 'hex')),
  )
  const ans = decode(AnswerCodec, encode(AnswerCodec, { keys: [KEY_B] }))
  assert.ok(b4a.equals(ans.keys[0], KEY_B))
})

test('Request and Answer: truncated keys and lying counts are BAD_MESSAGE', () => {
  const ok = encode(RequestCodec, { keys: [KEY_A] })
  badMessage(() => decode(RequestCodec, ok.subarray(0, 10)))
  badMessage(() => decode(AnswerCodec, c.encode(c.uint, 3)))
  badMessage(() => decode(AnswerCodec, new Uint8Array(0)))
})

test('Done round-trips; a truncated count is BAD_MESSAGE', () => {
  assert.is(decode(DoneCodec, encode(DoneCodec, { feeds: 300 })).feeds, 300)
  badMessage(() => decode(DoneCodec, b4a.from([0xfd, 0x01])))
  badMessage(() => decode(DoneCodec, new Uint8Array(0)))
})

test('bytes after the known fields are ignored (a later minor version may add fields)', () => {
  const withExtra = b4a.concat([encode(DoneCodec, { feeds: 1 }), b4a.from([1, 2, 3])])
  assert.is(decode(DoneCodec, withExtra).feeds, 1)
})

test('parseMajor reads semver majors only', () => {
  assert.is(parseMajor('1.0.0'), 1)
  assert.is(parseMajor('12.3.4-beta.1'), 12)
  assert.is(parseMajor('1.0'), null)
  assert.is(parseMajor('v1.0.0'), null)
})

test('capabilities bind the root key, the side and the connection', () => {
  const root = b4a.alloc(32, 1)
  const hash = b4a.alloc(64, 2)
  const cap = capability(root, true, hash)
  assert.ok(verifyCapability(root, true, hash, cap))
  assert.not.ok(verifyCapability(root, false, hash, cap), 'the other side cannot replay it')
  assert.not.ok(verifyCapability(b4a.alloc(32, 9), true, hash, cap), 'another key')
  assert.not.ok(verifyCapability(root, true, b4a.alloc(64, 3), cap), 'another connection')
  assert.not.ok(verifyCapability(root, true, hash, cap.subarray(0, 16)), 'a short capability')
  assert.not.ok(b4a.equals(channelId(root), root), 'the channel id is not the key')
  assert.is(channelId(root).byteLength, 32)
})

test.run()
