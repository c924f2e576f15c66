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
import { codeOf, eventually, fuzzParams, remoteBytes, teardown } from '@dat-sdk/test-utils'
import { MAX_NAME_BYTES, MAX_NAMES, decodeReady, encodeReady } from '@dat-sdk/store'
import type { Peer } from '@dat-sdk/core-wrapper'
import { collector, connectPair, corePair } from './helpers.js'

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

/** What the 'json' encoding makes of bytes, decided here without the SDK: a message or an error. */
function jsonVerdict(bytes: Uint8Array): 'message' | 'error' {
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return 'message'
  } catch {
    return 'error'
  }
}

test('random bytes raw on a Core extension: each is one message or one BAD_MESSAGE, never a crash', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero'] })
    const messages = collector<[unknown, Peer]>()
    const onerror = collector<[DatSdkError, Peer]>()
    const events = collector<[DatSdkError, Peer | undefined]>()
    pair.b.on('extension-error', events.fn)
    pair.b.registerExtension<unknown>('fuzz', {
      encoding: 'json',
      onmessage: messages.fn,
      onerror: onerror.fn,
    })
    const raw = pair.a.registerExtension('fuzz') // binary: the bytes go out as they are
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1 && pair.b.peers().length === 1)

    const validJson = fc.jsonValue().map((v) => b4a.from(JSON.stringify(v) ?? 'null'))
    let sent = 0
    let bad = 0
    await fc.assert(
      fc.asyncProperty(remoteBytes(validJson, 256), async (bytes) => {
        const before = messages.calls.length + onerror.calls.length
        raw.broadcast(bytes)
        sent++
        await eventually(() => messages.calls.length + onerror.calls.length > before, {
          interval: 1,
        })
        assert.is(messages.calls.length + onerror.calls.length, before + 1, 'one outcome')
        const verdict = jsonVerdict(bytes)
        if (verdict === 'error') {
          bad++
          const [err, peer] = onerror.calls[onerror.calls.length - 1]
          assert.is(err.code, 'BAD_MESSAGE')
          assert.is(peer, pair.b.peers()[0])
          assert.is(events.calls.length, onerror.calls.length, 'one extension-error each')
        } else {
          assert.is(onerror.calls.length, events.calls.length)
          assert.equal(
            messages.calls[messages.calls.length - 1][0],
            JSON.parse(b4a.toString(bytes)),
          )
        }
      }),
      fuzzParams('Core extension: raw bytes over a replication stream', 300),
    )
    // A last, valid message is the sentinel: nothing further came of the bytes before it.
    raw.broadcast(b4a.from('"sentinel"'))
    await eventually(() => messages.calls.at(-1)?.[0] === 'sentinel')
    assert.is(onerror.calls.length, bad)
    assert.is(events.calls.length, bad)
    assert.is(messages.calls.length, sent - bad + 1)
    assert.ok(bad > 0 && bad < sent, `both outcomes were exercised (${bad} of ${sent} bad)`)
    // The connection lives on: a new block still replicates.
    await pair.a.append(b4a.from('after'))
    assert.is(b4a.toString((await pair.b.get(1, { timeout: 10_000 }))!), 'after')
  } finally {
    await t.run()
  }
})

test.run()
