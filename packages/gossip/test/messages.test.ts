import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decodeMessage,
  encodeChunks,
  encodeMessage,
  encodedLength,
  MESSAGE_OVERHEAD,
} from '../src/messages.js'
import { codeOf } from '@dat-sdk/test-utils'

const test = suite('messages: the dat-gossip@1 wire format')

const K1 = 'a'.repeat(64)
const K2 = '0123456789abcdef'.repeat(4)
const K3 = 'f'.repeat(64)

const bytes = (text: string) => new TextEncoder().encode(text)

test('a message without deletions is exactly what dat-gossip@1.0.0 sends', () => {
  const encoded = encodeMessage({ keys: [K1, K2], deleted: [] })
  assert.is(Buffer.from(encoded).toString('utf8'), JSON.stringify({ keys: [K1, K2] }))
  assert.is(
    Buffer.from(encodeMessage({ keys: [], deleted: [] })).toString('utf8'),
    JSON.stringify({ keys: [] }),
  )
})

test('keys and deletions round-trip', () => {
  const message = { keys: [K1, K2], deleted: [K3] }
  assert.equal(decodeMessage(encodeMessage(message)), message)
  assert.equal(decodeMessage(encodeMessage({ keys: [], deleted: [K1] })), {
    keys: [],
    deleted: [K1],
  })
})

test('a message from dat-gossip@1.0.0 decodes, unknown fields are ignored, keys lower-cased', () => {
  assert.equal(decodeMessage(bytes(JSON.stringify({ keys: [K1.toUpperCase()], other: 1 }))), {
    keys: [K1],
    deleted: [],
  })
})

test('encodedLength is the length of the encoded message', () => {
  for (const [k, d] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [3, 2],
    [50, 0],
  ]) {
    const m = { keys: Array(k).fill(K1), deleted: Array(d).fill(K2) }
    assert.is(encodedLength(k, d), encodeMessage(m).byteLength, `${k} keys, ${d} deleted`)
  }
  assert.is(encodedLength(0, 1) - encodedLength(0, 0), MESSAGE_OVERHEAD - 11 + 66)
})

test('encodeChunks splits to fit the limit and loses nothing', () => {
  const keys = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(64, '0'))
  const deleted = Array.from({ length: 7 }, (_, i) => (i + 100).toString(16).padStart(64, 'e'))
  const limit = encodedLength(5, 1)
  const chunks = encodeChunks(keys, deleted, limit)
  assert.ok(chunks.length > 1 && chunks.length <= 10, `${chunks.length} chunks`)
  const seenKeys: string[] = []
  const seenDeleted: string[] = []
  for (const chunk of chunks) {
    assert.ok(chunk.byteLength <= limit, `${chunk.byteLength} > ${limit}`)
    const m = decodeMessage(chunk, limit)
    seenKeys.push(...m.keys)
    seenDeleted.push(...m.deleted)
  }
  assert.equal(seenKeys, keys)
  assert.equal(seenDeleted, deleted)
  assert.is(encodeChunks(keys, deleted, 1 << 20).length, 1)
  assert.is(encodeChunks([], [], 1 << 20).length, 1)
})

test('bad input: not JSON, not UTF-8, not an object: BAD_MESSAGE', () => {
  assert.is(
    codeOf(() => decodeMessage(bytes('not json'))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => decodeMessage(bytes(''))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => decodeMessage(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => decodeMessage(bytes('null'))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => decodeMessage(bytes('[]'))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => decodeMessage(bytes('"keys"'))),
    'BAD_MESSAGE',
  )
  assert.is(
    // a string where bytes belong, on purpose: BAD_MESSAGE, not a crash
    codeOf(() => decodeMessage('{"keys":[]}' as unknown as Uint8Array)),
    'BAD_MESSAGE',
  )
})

test('bad input: keys missing, not an array, or not 64-hex-char strings: BAD_MESSAGE', () => {
  const bad = [
    {},
    { keys: null },
    { keys: K1 },
    { keys: { 0: K1 } },
    { keys: [K1, 42] },
    { keys: [K1.slice(1)] },
    { keys: [K1 + 'a'] },
    { keys: ['g'.repeat(64)] },
    { keys: [' ' + K1.slice(1)] },
    { keys: [[K1]] },
  ]
  for (const m of bad) {
    assert.is(
      codeOf(() => decodeMessage(bytes(JSON.stringify(m)))),
      'BAD_MESSAGE',
      JSON.stringify(m),
    )
  }
})

test('bad input: a malformed "deleted": BAD_MESSAGE', () => {
  const bad = [
    { keys: [], deleted: null },
    { keys: [], deleted: K1 },
    { keys: [K1], deleted: [K1.slice(2)] },
    { keys: [K1], deleted: [1] },
    { keys: [K1], deleted: {} },
  ]
  for (const m of bad) {
    assert.is(
      codeOf(() => decodeMessage(bytes(JSON.stringify(m)))),
      'BAD_MESSAGE',
      JSON.stringify(m),
    )
  }
})

test('a message over the limit is MESSAGE_TOO_LARGE, checked before parsing', () => {
  const message = encodeMessage({ keys: [K1, K2], deleted: [] })
  assert.is(
    codeOf(() => decodeMessage(message, message.byteLength - 1)),
    'MESSAGE_TOO_LARGE',
  )
  assert.is(
    codeOf(() => decodeMessage(new Uint8Array(200), 100)),
    'MESSAGE_TOO_LARGE',
  )
  assert.ok(decodeMessage(message, message.byteLength))
})

test.run()
