// Property tests of the dat-gossip@1 decoder (issue 14): random bytes, mutated valid messages and
// random JSON shapes either decode to exactly what an independent reading of the wire format says,
// or are refused as BAD_MESSAGE / MESSAGE_TOO_LARGE; valid messages round-trip, split or whole.
// Each property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/gossip/test/fuzz.test.ts
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { codeOf, fuzzParams, remoteBytes } from '@dat-sdk/test-utils'
import {
  decodeMessage,
  encodeChunks,
  encodeMessage,
  encodedLength,
  type GossipMessage,
} from '../src/messages.js'

const test = suite('fuzz: the dat-gossip@1 decoder')

const hexKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString('hex'))
const keyList = fc.array(hexKey, { maxLength: 6 })
const messageArb: fc.Arbitrary<GossipMessage> = fc.record(
  { keys: keyList, deleted: keyList },
  { noNullPrototype: true },
)
const validBytes = messageArb.map(encodeMessage)
const encoder = new TextEncoder()

/** The wire format read independently of the decoder: the message, or the code it must get. */
function expected(bytes: Uint8Array, maxBytes: number): GossipMessage | string {
  if (bytes.byteLength > maxBytes) return 'MESSAGE_TOO_LARGE'
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return 'BAD_MESSAGE'
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'BAD_MESSAGE'
  const list = (v: unknown): string[] | null =>
    Array.isArray(v) && v.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/i.test(k))
      ? v.map((k: string) => k.toLowerCase())
      : null
  const own = (k: string): unknown =>
    Object.prototype.hasOwnProperty.call(value, k)
      ? (value as Record<string, unknown>)[k]
      : undefined
  const keys = list(own('keys'))
  const deleted = own('deleted') === undefined ? [] : list(own('deleted'))
  if (keys === null || deleted === null) return 'BAD_MESSAGE'
  return { keys, deleted }
}

function check(bytes: Uint8Array, maxBytes: number): void {
  const want = expected(bytes, maxBytes)
  let got: GossipMessage
  try {
    got = decodeMessage(bytes, maxBytes)
  } catch {
    assert.is(
      codeOf(() => decodeMessage(bytes, maxBytes)),
      want,
    )
    return
  }
  assert.equal(got, want)
}

const limit = fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 600 }))

test('random and mutated bytes: the message the format says, or BAD_MESSAGE / MESSAGE_TOO_LARGE', () => {
  fc.assert(
    fc.property(remoteBytes(validBytes), limit, check),
    fuzzParams('gossip: random and mutated bytes'),
  )
})

test('random JSON shapes: only an object with arrays of 64-hex keys is accepted', () => {
  // Keys, keys in the wrong case, near-keys, and any other JSON value, in and out of arrays.
  const nearKey = fc.oneof(
    hexKey,
    hexKey.map((k) => k.toUpperCase()),
    hexKey.map((k) => k.slice(1)),
    hexKey.map((k) => k + '0'),
    hexKey.map((k) => 'g' + k.slice(1)),
  )
  const item = fc.oneof({ arbitrary: nearKey, weight: 4 }, { arbitrary: fc.jsonValue(), weight: 1 })
  const field = fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 4 }), weight: 4 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  )
  const shape = fc.oneof(
    { arbitrary: fc.record({ keys: field, deleted: field }, { requiredKeys: [] }), weight: 4 },
    { arbitrary: fc.dictionary(fc.string(), fc.jsonValue()), weight: 1 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  )
  fc.assert(
    fc.property(shape, limit, (value, maxBytes) =>
      check(encoder.encode(JSON.stringify(value) ?? 'null'), maxBytes),
    ),
    fuzzParams('gossip: random JSON shapes'),
  )
})

test('valid messages round-trip, and encodedLength is their exact size', () => {
  fc.assert(
    fc.property(messageArb, (m) => {
      const bytes = encodeMessage(m)
      assert.is(bytes.byteLength, encodedLength(m.keys.length, m.deleted.length))
      assert.equal(decodeMessage(bytes, bytes.byteLength), m)
    }),
    fuzzParams('gossip: round-trip'),
  )
})

test('encodeChunks: every chunk fits the limit and decodes; together they carry every key', () => {
  const many = fc.array(hexKey, { maxLength: 40 })
  fc.assert(
    fc.property(many, many, fc.integer({ min: encodedLength(1, 1), max: 2000 }), (k, d, max) => {
      const chunks = encodeChunks(k, d, max)
      const keys: string[] = []
      const deleted: string[] = []
      for (const chunk of chunks) {
        assert.ok(chunk.byteLength <= max, `a chunk of ${chunk.byteLength} > ${max} bytes`)
        const m = decodeMessage(chunk, max)
        keys.push(...m.keys)
        deleted.push(...m.deleted)
      }
      assert.equal(keys, k)
      assert.equal(deleted, d)
    }),
    fuzzParams('gossip: chunks', 2000),
  )
})

test.run()
