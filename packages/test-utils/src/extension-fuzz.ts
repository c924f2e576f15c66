// The one scaffold of the "raw bytes on a 'json' extension" property (issue 14), run by
// core-wrapper over a replication stream and by networker over a Hyperswarm connection.
import fc from 'fast-check'
import * as assert from 'uvu/assert'
import { eventually } from './eventually.js'
import { fuzzParams, remoteBytes } from './fuzz.js'

/** A sender and a receiver of one extension, set up by the test. */
export interface RawExtensionFuzzTarget<P> {
  /** The sender's binary extension: the bytes go out as they are. */
  raw: { broadcast(bytes: Uint8Array): void }
  /** What the receiver's `'json'` extension's `onmessage` got, in order. */
  messages: unknown[]
  /** What its `onerror` got, in order. */
  errors: Array<[{ code: string }, P]>
  /** The receiver's `'extension-error'` events, in order. */
  events: unknown[]
  /** Whether `peer` (the one an error names) is the sender. */
  isSender(peer: P): boolean
}

/** What the 'json' encoding makes of bytes, decided here without the SDK: a message or an error. */
function jsonVerdict(bytes: Uint8Array): 'message' | 'error' {
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return 'message'
  } catch {
    return 'error'
  }
}

/**
 * Sends random and mutated payloads raw and checks that each is one message (equal to an
 * independent `JSON.parse`) or one `BAD_MESSAGE` (to `onerror`, naming the sender, and to
 * `'extension-error'`), then a valid sentinel after which nothing else came, and that both
 * outcomes were exercised. The caller then checks that the connection lives on.
 */
export async function fuzzRawJsonExtension<P>(
  name: string,
  target: RawExtensionFuzzTarget<P>,
  numRuns = 300,
): Promise<void> {
  const { raw, messages, errors, events } = target
  const encoder = new TextEncoder()
  const validJson = fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v) ?? 'null'))
  let sent = 0
  let bad = 0
  await fc.assert(
    fc.asyncProperty(remoteBytes(validJson, 256), async (bytes) => {
      const before = messages.length + errors.length
      raw.broadcast(bytes)
      sent++
      await eventually(() => messages.length + errors.length > before, { interval: 1 })
      assert.is(messages.length + errors.length, before + 1, 'one outcome')
      if (jsonVerdict(bytes) === 'error') {
        bad++
        const [err, peer] = errors[errors.length - 1]!
        assert.is(err.code, 'BAD_MESSAGE')
        assert.ok(target.isSender(peer), 'the error names the sender')
        assert.is(events.length, errors.length, 'one extension-error each')
      } else {
        assert.is(events.length, errors.length)
        assert.equal(messages[messages.length - 1], JSON.parse(new TextDecoder().decode(bytes)))
      }
    }),
    fuzzParams(name, numRuns),
  )
  // A last, valid message is the sentinel: nothing further came of the bytes before it.
  raw.broadcast(encoder.encode('"sentinel"'))
  await eventually(() => messages.at(-1) === 'sentinel')
  assert.is(errors.length, bad)
  assert.is(events.length, bad)
  assert.is(messages.length, sent - bad + 1)
  assert.ok(bad > 0 && bad < sent, `both outcomes were exercised (${bad} of ${sent} bad)`)
}
