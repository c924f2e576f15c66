// Random bytes sent raw on a Networker extension channel, over one real Hyperswarm connection on a
// loopback testnet (issue 14): each payload is one message or one BAD_MESSAGE (to onerror and to
// 'extension-error'), the process never crashes and the connection lives on.
// The property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/networker/test/fuzz.test.ts
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store, type DatSdkError } from '@dat-sdk/store'
import { createTestnet, eventually, fuzzRawJsonExtension, teardown } from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('fuzz: raw bytes on a Networker extension channel')

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

    await fuzzRawJsonExtension('Networker extension: raw bytes over a Hyperswarm connection', {
      raw,
      messages,
      errors,
      events,
      isSender: (peer) => b4a.equals(peer.remotePublicKey, a.publicKey),
    })
    assert.is(b.peers.length, 1, 'still connected')
  } finally {
    await t.run()
  }
})

test.run()
