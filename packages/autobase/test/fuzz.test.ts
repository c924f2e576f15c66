// Property tests of what autobase decodes from peers (issue 14): log entries written by other
// writers, and blind-pairing channel messages checked before blind-pairing sees them. Random and
// mutated bytes decode to a well-formed value or are refused as BAD_MESSAGE (never another
// throw); valid values round-trip. Each property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/autobase/test/fuzz.test.ts
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c from 'compact-encoding'
import fc from 'fast-check'
import { codeOf, fuzzParams, remoteBytes } from '@dat-sdk/test-utils'
import { OpType, checkPairingMessage, decodeOp, encodeOp, type Op } from '../src/index.js'
import { pairingRequest, pairingResponse } from '../src/messages.js'

const test = suite('fuzz: autobase decoders of remote bytes')

const key = fc.uint8Array({ minLength: 32, maxLength: 32 })
const bytes = fc.uint8Array({ maxLength: 48 })
const plain = { noNullPrototype: true } as const

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant(OpType.PUT), key: bytes, value: bytes }, plain),
  fc.record({ type: fc.constant(OpType.DEL), key: bytes }, plain),
  fc.record({ type: fc.constant(OpType.ADD_WRITER), key, indexer: fc.boolean() }, plain),
  fc.record({ type: fc.constant(OpType.REMOVE_WRITER), key }, plain),
  fc.record({ type: fc.constant(OpType.APPEND), value: bytes }, plain),
)

const hex = (b: Uint8Array) => b4a.toString(b, 'hex')
/** An op with its byte fields as hex, so a decoded Buffer view compares equal to a Uint8Array. */
function plainOp(o: Op): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) out[k] = v instanceof Uint8Array ? hex(v) : v
  return out
}

test('log entries: random and mutated bytes are one canonical entry or BAD_MESSAGE', () => {
  fc.assert(
    fc.property(remoteBytes(op.map(encodeOp)), (input) => {
      let decoded: Op
      try {
        decoded = decodeOp(input)
      } catch {
        assert.is(
          codeOf(() => decodeOp(input)),
          'BAD_MESSAGE',
        )
        return
      }
      assert.ok(Object.values(OpType).includes(decoded.type), 'a known type')
      if (decoded.type === OpType.ADD_WRITER || decoded.type === OpType.REMOVE_WRITER) {
        assert.is(decoded.key.byteLength, 32)
      }
      // What was accepted is what its encoding says, byte for byte; the one slack is a
      // non-minimal varint (compact-encoding reads those everywhere), which re-encodes shorter.
      const again = encodeOp(decoded)
      assert.ok(
        b4a.equals(again, input) || again.byteLength < input.byteLength,
        `accepted ${hex(input)}, which is not the encoding of what it decoded to (${hex(again)})`,
      )
    }),
    fuzzParams('autobase log entries: random and mutated bytes'),
  )
})

test('log entries: every op round-trips; a truncated one is BAD_MESSAGE', () => {
  fc.assert(
    fc.property(op, (o) => {
      const encoded = encodeOp(o)
      assert.equal(plainOp(decodeOp(encoded)), plainOp(o))
      assert.is(
        codeOf(() => decodeOp(encoded.subarray(0, encoded.byteLength - 1))),
        'BAD_MESSAGE',
      )
    }),
    fuzzParams('autobase log entries: round-trip'),
  )
})

test('log entries, regression: an indexer flag other than 0 or 1 is BAD_MESSAGE', () => {
  // Found by the canonical-entry property above (FUZZ_SEED=367122761, 4,203rd case, shrunk to
  // the entry below): a flag byte of 2 was read as "not an indexer" instead of being refused.
  const found = b4a.concat([b4a.from([1, OpType.ADD_WRITER]), new Uint8Array(32), b4a.from([2])])
  assert.is(
    codeOf(() => decodeOp(found)),
    'BAD_MESSAGE',
  )
  // Every flag byte, not a sample of them: 0 and 1 decode, the 254 others are refused.
  const base = encodeOp({ type: OpType.ADD_WRITER, key: new Uint8Array(32), indexer: false })
  for (let flag = 0; flag <= 255; flag++) {
    const input = b4a.concat([base.subarray(0, base.byteLength - 1), b4a.from([flag])])
    if (flag > 1)
      assert.is(
        codeOf(() => decodeOp(input)),
        'BAD_MESSAGE',
        `flag ${flag}`,
      )
    else assert.is((decodeOp(input) as { indexer: boolean }).indexer, flag === 1, `flag ${flag}`)
  }
})

const optional = fc.option(fc.uint8Array({ minLength: 1, maxLength: 48 }), { nil: null })
const request = fc.record({ inviteId: key, session: optional, data: optional }, plain)
const response = fc.record({ id: key, payload: optional }, plain)
const frame = (payload: Uint8Array) => c.encode(c.buffer, payload)
const framedRequest = request.map((m) => frame(c.encode(pairingRequest, m)))
const framedResponse = response.map((m) => frame(c.encode(pairingResponse, m)))

for (const [type, label, framed] of [
  [0, 'request', framedRequest],
  [1, 'response', framedResponse],
] as const) {
  test(`pairing ${label}: random and mutated frames give the exact inner message or BAD_MESSAGE`, () => {
    const codec = type === 0 ? pairingRequest : pairingResponse
    fc.assert(
      fc.property(remoteBytes(framed), (input) => {
        let payload: Uint8Array
        try {
          payload = checkPairingMessage(type, input)
        } catch {
          assert.is(
            codeOf(() => checkPairingMessage(type, input)),
            'BAD_MESSAGE',
          )
          return
        }
        // What passes is one whole frame around one whole message, as blind-pairing reads them.
        const outer = c.state(0, input.byteLength, input)
        assert.equal(hex(c.buffer.decode(outer) ?? new Uint8Array(0)), hex(payload))
        assert.is(outer.start, outer.end, 'nothing after the frame')
        const inner = c.state(0, payload.byteLength, payload)
        codec.decode(inner)
        assert.is(inner.start, inner.end, 'nothing after the message')
      }),
      fuzzParams(`autobase pairing ${label}: random and mutated frames`),
    )
  })

  test(`pairing ${label}: valid messages pass unchanged`, () => {
    fc.assert(
      fc.property(framed, (input) => {
        const payload = checkPairingMessage(type, input)
        assert.is(hex(frame(payload)), hex(input))
      }),
      fuzzParams(`autobase pairing ${label}: round-trip`),
    )
  })
}

test.run()
