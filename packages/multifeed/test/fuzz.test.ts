// Property tests of every multifeed wire message (issue 14): the handshake, manifests, requests,
// answers and done. Random bytes and mutated valid encodings decode to a message within the
// format's bounds or are refused as BAD_MESSAGE (never another throw); valid messages round-trip.
// Each property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/multifeed/test/fuzz.test.ts
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Encoder } from 'compact-encoding'
import fc from 'fast-check'
import { codeOf, fuzzParams, remoteBytes } from '@dat-sdk/test-utils'
import {
  AnswerCodec,
  DoneCodec,
  HandshakeCodec,
  ManifestCodec,
  RequestCodec,
  decode,
  encode,
  parseMajor,
  type Answer,
  type Done,
  type Handshake,
  type Manifest,
  type Request,
} from '../src/messages.js'

const test = suite('fuzz: multifeed wire messages')

const key = fc.uint8Array({ minLength: 32, maxLength: 32 })
const plain = { noNullPrototype: true } as const

const semver = fc
  .tuple(
    fc.nat({ max: 999 }),
    fc.nat({ max: 999 }),
    fc.nat({ max: 999 }),
    fc.option(fc.stringMatching(/^[-+][0-9A-Za-z.+-]{0,16}$/), { nil: '' }),
  )
  .map(([a, b, c, tail]) => `${a}.${b}.${c}${tail}`)

const handshake: fc.Arbitrary<Handshake> = fc.record(
  {
    // At most 32 code points: at most 64 UTF-16 units, the client limit.
    client: fc.string({ unit: 'binary', maxLength: 32 }),
    version: semver,
    userData: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: null }),
    capability: key,
  },
  plain,
)
const manifest: fc.Arbitrary<Manifest> = fc.record(
  {
    feeds: fc.array(fc.record({ key, length: fc.oneof(fc.nat(), fc.maxSafeNat()) }, plain), {
      maxLength: 6,
    }),
  },
  plain,
)
const request: fc.Arbitrary<Request> = fc.record({ keys: fc.array(key, { maxLength: 6 }) }, plain)
const done: fc.Arbitrary<Done> = fc.record({ feeds: fc.oneof(fc.nat(), fc.maxSafeNat()) }, plain)

const isKey = (k: unknown) => k instanceof Uint8Array && k.byteLength === 32
const isCount = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

interface Case<M> {
  name: string
  codec: Encoder<M>
  arb: fc.Arbitrary<M>
  /** Asserts that a decoded message is within the format's bounds. */
  valid(m: M): void
}

const cases = [
  {
    name: 'Handshake',
    codec: HandshakeCodec,
    arb: handshake,
    valid(m: Handshake) {
      assert.type(m.client, 'string')
      assert.ok(m.client.length <= 64, 'client within 64 characters')
      assert.ok(m.version.length <= 32 && parseMajor(m.version) !== null, 'version is semver')
      assert.ok(
        m.userData === null || (m.userData.byteLength > 0 && m.userData.byteLength <= 65536),
      )
      assert.ok(isKey(m.capability))
    },
  } satisfies Case<Handshake>,
  {
    name: 'Manifest',
    codec: ManifestCodec,
    arb: manifest,
    valid(m: Manifest) {
      for (const f of m.feeds) assert.ok(isKey(f.key) && isCount(f.length))
    },
  } satisfies Case<Manifest>,
  {
    name: 'Request',
    codec: RequestCodec,
    arb: request,
    valid(m: Request) {
      assert.ok(m.keys.every(isKey))
    },
  } satisfies Case<Request>,
  {
    name: 'Answer',
    codec: AnswerCodec,
    arb: request,
    valid(m: Answer) {
      assert.ok(m.keys.every(isKey))
    },
  } satisfies Case<Answer>,
  {
    name: 'Done',
    codec: DoneCodec,
    arb: done,
    valid(m: Done) {
      assert.ok(isCount(m.feeds))
    },
  } satisfies Case<Done>,
]

/** Byte arrays as hex, so a decoded Buffer view compares equal to the Uint8Array it came from. */
function plainOf(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex')
  if (Array.isArray(value)) return value.map(plainOf)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainOf(v)]))
  }
  return value
}

for (const { name, codec, arb, valid } of cases as Case<unknown>[]) {
  const encoded = arb.map((m) => encode(codec, m))

  test(`${name}: random and mutated bytes decode within bounds or are BAD_MESSAGE`, () => {
    fc.assert(
      fc.property(remoteBytes(encoded), (bytes) => {
        let m: unknown
        try {
          m = decode(codec, bytes)
        } catch {
          assert.is(
            codeOf(() => decode(codec, bytes)),
            'BAD_MESSAGE',
          )
          return
        }
        valid(m)
      }),
      fuzzParams(`multifeed ${name}: random and mutated bytes`),
    )
  })

  test(`${name}: valid messages round-trip`, () => {
    fc.assert(
      fc.property(arb, (m) => {
        const bytes = encode(codec, m)
        assert.equal(plainOf(decode(codec, bytes)), plainOf(m))
        // Every strict prefix is a truncated message: BAD_MESSAGE, never a partial decode. (The
        // refusals carry no stack here: capturing one for each prefix quintupled the run.)
        const limit = Error.stackTraceLimit
        Error.stackTraceLimit = 0
        try {
          for (let end = 0; end < bytes.byteLength; end++) {
            assert.is(
              codeOf(() => decode(codec, bytes.subarray(0, end))),
              'BAD_MESSAGE',
              `the first ${end} of ${bytes.byteLength} bytes`,
            )
          }
        } finally {
          Error.stackTraceLimit = limit
        }
      }),
      fuzzParams(`multifeed ${name}: round-trip`),
    )
  })
}

test.run()
