// Property tests of what core-wrapper decodes from peers (issue 14): the `dat-sdk/ready@1`
// announcement, and random bytes sent raw on a Core extension over a real replication stream.
// Each property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/core-wrapper/test/fuzz.test.ts
// ($FUZZ_RUNS raises the case count, $FUZZ_PATH replays the one counterexample fast-check names).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import fc from 'fast-check'
import type { DatSdkError } from '@dat-sdk/store'
import {
  codeOf,
  eventually,
  fuzzParams,
  fuzzRawJsonExtension,
  remoteBytes,
  teardown,
} from '@dat-sdk/test-utils'
import { MAX_NAME_BYTES, MAX_NAMES, decodeReady, encodeReady } from '@dat-sdk/store'
import type { Peer } from '@dat-sdk/core-wrapper'
import { connectPair, corePair } from './helpers.js'

const test = suite('fuzz: core-wrapper decoders of remote bytes')

// Names as a peer may announce them: any Unicode, 1 to 64 code points (at most 256 UTF-8 bytes).
const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 })
// (Plain objects: fast-check's records have a null prototype, which uvu's equal() tells apart.)
const readyArb = fc.record(
  { heard: fc.boolean(), names: fc.array(name, { maxLength: 8 }) },
  { noNullPrototype: true },
)
const validReady = readyArb.map((m) => encodeReady(m))

test('dat-sdk/ready@1: any bytes decode to a valid announcement or are BAD_MESSAGE', () => {
  fc.assert(
    fc.property(remoteBytes(validReady), (bytes) => {
      let m
      try {
        m = decodeReady(bytes)
      } catch (err) {
        assert.is(
          codeOf(() => decodeReady(bytes)),
          'BAD_MESSAGE',
          String(err),
        )
        return
      }
      assert.type(m.heard, 'boolean')
      assert.ok(Array.isArray(m.names) && m.names.length <= MAX_NAMES)
      for (const n of m.names) {
        assert.type(n, 'string')
        assert.ok(n.length > 0 && b4a.byteLength(n) <= MAX_NAME_BYTES, 'a name within bounds')
      }
    }),
    fuzzParams('ready: random and mutated bytes'),
  )
})

test('dat-sdk/ready@1: valid announcements round-trip', () => {
  fc.assert(
    fc.property(readyArb, (m) => {
      assert.equal(decodeReady(encodeReady(m)), m)
    }),
    fuzzParams('ready: round-trip'),
  )
})

test('dat-sdk/ready@1: too many or too long names are BAD_MESSAGE', () => {
  const tooLong = fc.string({ unit: 'grapheme-ascii', minLength: MAX_NAME_BYTES + 1 })
  fc.assert(
    fc.property(
      fc.oneof(
        fc.record({ heard: fc.boolean(), names: fc.tuple(tooLong) }),
        fc.record({
          heard: fc.boolean(),
          names: fc.array(fc.constant('x'), { minLength: MAX_NAMES + 1, maxLength: 600 }),
        }),
        fc.record({ heard: fc.boolean(), names: fc.tuple(name, fc.constant('')) }),
      ),
      (m) => {
        assert.is(
          codeOf(() => decodeReady(encodeReady(m))),
          'BAD_MESSAGE',
        )
      },
    ),
    fuzzParams('ready: out-of-bounds names', 1000),
  )
})

test('random bytes raw on a Core extension: each is one message or one BAD_MESSAGE, never a crash', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero'] })
    const messages: unknown[] = []
    const errors: Array<[DatSdkError, Peer]> = []
    const events: DatSdkError[] = []
    pair.b.on('extension-error', (err: DatSdkError) => void events.push(err))
    pair.b.registerExtension<unknown>('fuzz', {
      encoding: 'json',
      onmessage: (m) => void messages.push(m),
      onerror: (err, peer) => void errors.push([err, peer]),
    })
    const raw = pair.a.registerExtension('fuzz') // binary: the bytes go out as they are
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1 && pair.b.peers().length === 1)

    await fuzzRawJsonExtension('Core extension: raw bytes over a replication stream', {
      raw,
      messages,
      errors,
      events,
      isSender: (peer) => peer === pair.b.peers()[0],
    })
    // The connection lives on: a new block still replicates.
    await pair.a.append(b4a.from('after'))
    assert.is(b4a.toString((await pair.b.get(1, { timeout: 10_000 }))!), 'after')
  } finally {
    await t.run()
  }
})

test.run()
