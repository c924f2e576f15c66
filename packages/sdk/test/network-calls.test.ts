// sdk.join(topic), joinPeer / leavePeer and suspend / resume: on Hyperswarm on a loopback
// testnet, and NOT_SUPPORTED through a custom networker that lacks them (the test TCP networker).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { Store } from '@dat-sdk/store'
import { createSDK, topicKey, type SDK } from '@dat-sdk/sdk'
import {
  assertRejectsCode,
  assertThrowsCode,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { TcpDirectory, TcpNetworker } from './helpers/tcp-networker.js'

const test = suite('sdk: join(topic), joinPeer, suspend, resume')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

async function sdkOn(t: Teardown, keyPair?: { publicKey: Uint8Array; secretKey: Uint8Array }) {
  return t.add(
    await createSDK({
      storage: false,
      bootstrap: testnet.bootstrap,
      ...(keyPair ? { keyPair } : {}),
    }),
  )
}

test('a string topic is namespaced BLAKE2b, the same as hyper-sdk makeTopicKey', () => {
  const key = topicKey('chat room')
  assert.is(key.byteLength, 32)
  assert.ok(b4a.equals(key, crypto.namespace('chat room', 1)[0]))
  assert.not.ok(b4a.equals(key, topicKey('chat room ')))
  // A hex-looking string is a name like any other, not a key.
  const hex = 'ab'.repeat(32)
  assert.not.ok(b4a.equals(topicKey(hex), b4a.from(hex, 'hex')))
  const raw = new Uint8Array(32).fill(3)
  assert.is(topicKey(raw), raw)
  assertThrowsCode(() => topicKey(new Uint8Array(31)), 'INVALID_KEY')
})

test('two SDKs meet on a string topic, and leave it with the handle', async () => {
  const t = teardown()
  try {
    const a = await sdkOn(t)
    const b = await sdkOn(t)
    const ta = a.join('dat-sdk test room')
    const tb = b.join('dat-sdk test room')
    assert.ok(b4a.equals(ta.topic, topicKey('dat-sdk test room')))
    await Promise.all([ta.flushed(), tb.flushed()])
    await eventually(() => a.networker.peers.length === 1 && b.networker.peers.length === 1, {
      timeout: 15_000,
      message: 'a and b to meet on the topic',
    })
    await ta.destroy()
    await tb.destroy()
  } finally {
    await t.run()
  }
})

test('joinPeer connects two SDKs with no topic; leavePeer lets go', async () => {
  const t = teardown()
  try {
    const keyPair = crypto.keyPair()
    const a = await sdkOn(t)
    const b = await sdkOn(t, keyPair)
    await b.networker.listen?.()
    await a.joinPeer(b4a.toString(keyPair.publicKey, 'hex'))
    await eventually(() => a.networker.peers.length === 1, {
      timeout: 15_000,
      message: 'a to connect to b',
    })
    assert.ok(b4a.equals(a.networker.peers[0].remotePublicKey, keyPair.publicKey))
    await a.leavePeer(keyPair.publicKey)
    await assertRejectsCode(a.joinPeer('not a key'), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

test('after suspend() and resume(), a core opened before gets a live append', async () => {
  const t = teardown()
  try {
    const a = await sdkOn(t)
    const b = await sdkOn(t)
    const core = a.Hypercore<string>('live', { valueEncoding: 'utf-8' })
    await core.append('before')
    await a.flush(core)
    const clone = b.Hypercore<string>(core.key, { valueEncoding: 'utf-8' })
    assert.is(await clone.get(0), 'before')

    await b.suspend()
    assert.is(b.networker.peers.length, 0, 'suspended: no connection')
    await b.resume()
    await eventually(() => clone.peers().length === 1, {
      timeout: 15_000,
      message: 'the clone to find the writer again',
    })
    await core.append('after resume')
    assert.is(await clone.get(1, { timeout: 15_000 }), 'after resume')
  } finally {
    await t.run()
  }
})

test('through a networker without them, joinPeer / leavePeer / suspend / resume reject NOT_SUPPORTED', async () => {
  const t = teardown()
  try {
    const directory = new TcpDirectory()
    const sdk = t.add(
      await createSDK({
        storage: false,
        networker: (store: Store) => new TcpNetworker(store, directory),
      }),
    )
    const key = new Uint8Array(32).fill(1)
    await assertRejectsCode(sdk.joinPeer(key), 'NOT_SUPPORTED')
    await assertRejectsCode(sdk.leavePeer(key), 'NOT_SUPPORTED')
    await assertRejectsCode(sdk.suspend(), 'NOT_SUPPORTED')
    await assertRejectsCode(sdk.resume(), 'NOT_SUPPORTED')
    // join(topic) is counted over configure(), so it works on any networker; the SDK lives on.
    const topic = sdk.join('still here')
    await topic.flushed()
    await topic.destroy()
    await sdk.close()
    await assertRejectsCode(sdk.joinPeer(key), 'CLOSED')
    assertThrowsCode(() => sdk.join('closed'), 'CLOSED')
  } finally {
    await t.run()
  }
})

test.run()
