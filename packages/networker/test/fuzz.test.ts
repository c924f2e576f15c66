// Random bytes sent raw on a Networker extension channel, over one real Hyperswarm connection on a
// loopback testnet (issue 14): each payload is one message or one BAD_MESSAGE (to onerror and to
// 'extension-error'), the process never crashes and the connection lives on.
// The property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/networker/test/fuzz.test.ts
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import fc from 'fast-check'
import { Store, type DatSdkError } from '@dat-sdk/store'
import { createTestnet, eventually, fuzzParams, remoteBytes, teardown } from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('fuzz: raw bytes on a Networker extension channel')

/** What the 'json' encoding makes of bytes, decided here without the SDK: a message or an error. */
function jsonVerdict(bytes: Uint8Array): 'message' | 'error' {
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return 'message'
  } catch {
    return 'error'
  }
}

test('each random payload is one message or one BAD_MESSAGE, never a crash', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const a = t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
    const b = t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
    const messages: unknown[] = []
    const errors: Array<[DatSdkError, NetworkPeer]> = []
    const events: DatSdkError[] = []
    b.on('extension-error', (err: DatSdkError) => void events.push(err))
    b.registerExtension<unknown>('fuzz', {
      encoding: 'json',
      onmessage: (m) => void messages.push(m),
      onerror: (err, peer) => void errors.push([err, peer]),
    })
    const raw = a.registerExtension('fuzz') // binary: the bytes go out as they are
    const topic = randomBytes(32)
    await a.configure(topic)
    await b.configure(topic)
    await eventually(() => a.peers.length === 1 && b.peers.length === 1, { timeout: 15_000 })

    const validJson = fc.jsonValue().map((v) => b4a.from(JSON.stringify(v) ?? 'null'))
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
          const [err, peer] = errors[errors.length - 1]
          assert.is(err.code, 'BAD_MESSAGE')
          assert.ok(b4a.equals(peer.remotePublicKey, a.publicKey), 'the error names the sender')
          assert.is(events.length, errors.length, 'one extension-error each')
        } else {
          assert.equal(messages[messages.length - 1], JSON.parse(b4a.toString(bytes)))
        }
      }),
      fuzzParams('Networker extension: raw bytes over a Hyperswarm connection', 300),
    )
    // A last, valid message is the sentinel: nothing further came of the bytes before it.
    raw.broadcast(b4a.from('"sentinel"'))
    await eventually(() => messages.at(-1) === 'sentinel')
    assert.is(errors.length, bad)
    assert.is(events.length, bad)
    assert.is(messages.length, sent - bad + 1)
    assert.ok(bad > 0 && bad < sent, `both outcomes were exercised (${bad} of ${sent} bad)`)
    assert.is(b.peers.length, 1, 'still connected')
  } finally {
    await t.run()
  }
})

test.run()
