import crypto from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { toHex, toZ32 } from '@dat-sdk/sdk'
import {
  assertRejectsCode,
  assertThrowsCode,
  createTestnet,
  teardown,
  type LoopbackTestnet,
} from '@dat-sdk/test-utils'
import { sdkOn } from './helpers/sdks.js'

const test = suite('encrypted parts')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('an encrypted drive crosses two SDKs with its key; without it, DECRYPTION_FAILED', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const a = await sdkOn(t, testnet)
    const drive = a.Hyperdrive('private', { encryptionKey: key })
    await drive.ready()
    await drive.put('/secret.txt', 'for key holders')
    assert.ok(drive.encrypted)

    const b = await sdkOn(t, testnet)
    const copy = b.Hyperdrive(drive.url, { encryptionKey: toZ32(key) })
    await copy.ready()
    await copy.update({ wait: true })
    assert.is(await copy.readFile('/secret.txt', 'utf-8'), 'for key holders')

    const c = await sdkOn(t, testnet)
    const blind = c.Hyperdrive(drive.url)
    await blind.ready()
    await blind.update({ wait: true })
    assert.is(blind.version, drive.version)
    await assertRejectsCode(blind.readFile('/secret.txt'), 'DECRYPTION_FAILED')
  } finally {
    await t.run()
  }
})

test('the ref cache: the same key in any spelling is the same part; another key or none is KEY_MISMATCH', async () => {
  const t = teardown()
  try {
    const sdk = await sdkOn(t, testnet)
    const key = crypto.randomBytes(32)
    const other = crypto.randomBytes(32)
    const opened = {
      core: sdk.Hypercore('c', { encryptionKey: key }),
      drive: sdk.Hyperdrive('d', { encryptionKey: key }),
      bee: sdk.Hyperbee('b', { encryptionKey: key }),
      base: sdk.Autobase('a', { encryptionKey: key }),
    }
    await Promise.all(Object.values(opened).map((p) => p.ready()))
    assert.is(sdk.Hypercore('c', { encryptionKey: toHex(key) }), opened.core)
    assert.is(sdk.Hyperdrive('d', { encryptionKey: toZ32(key) }), opened.drive)
    assert.is(sdk.Hyperbee('b', { encryptionKey: key }), opened.bee)
    assert.is(sdk.Autobase('a', { encryptionKey: toHex(key) }), opened.base)
    // By key as well as by name.
    assert.is(sdk.Hyperdrive(opened.drive.key, { encryptionKey: key }), opened.drive)
    for (const encryptionKey of [undefined, other]) {
      assertThrowsCode(() => sdk.Hypercore('c', { encryptionKey }), 'KEY_MISMATCH')
      assertThrowsCode(() => sdk.Hyperdrive('d', { encryptionKey }), 'KEY_MISMATCH')
      assertThrowsCode(() => sdk.Hyperdrive(opened.drive.key, { encryptionKey }), 'KEY_MISMATCH')
      assertThrowsCode(() => sdk.Hyperbee('b', { encryptionKey }), 'KEY_MISMATCH')
      assertThrowsCode(() => sdk.Autobase('a', { encryptionKey }), 'KEY_MISMATCH')
    }
    // A part open without a key is not handed to a caller that gives one.
    const plain = sdk.Hyperdrive('plain')
    await plain.ready()
    assertThrowsCode(() => sdk.Hyperdrive('plain', { encryptionKey: key }), 'KEY_MISMATCH')
    assert.is(sdk.Hyperdrive('plain'), plain)
    try {
      sdk.Hyperdrive('d', { encryptionKey: other })
    } catch (err) {
      const message = (err as Error).message
      for (const k of [key, other]) {
        assert.not.ok(message.includes(toHex(k)) || message.includes(toZ32(k)))
      }
    }
    // A malformed key is INVALID_KEY, for every kind.
    assertThrowsCode(() => sdk.Hypercore('x', { encryptionKey: 'nope' }), 'INVALID_KEY')
    assertThrowsCode(() => sdk.Hyperdrive('x', { encryptionKey: 'nope' }), 'INVALID_KEY')
    assertThrowsCode(() => sdk.Hyperbee('x', { encryptionKey: 'nope' }), 'INVALID_KEY')
    assertThrowsCode(() => sdk.Autobase('x', { encryptionKey: 'nope' }), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

test.run()
