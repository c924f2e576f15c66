import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { createSDK, toHex, toZ32, type SDK } from '@dat-sdk/sdk'
import {
  assertRejectsCode,
  assertThrowsCode,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
} from '@dat-sdk/test-utils'
import { sdkOn } from './helpers/sdks.js'

const test = suite('sdk.Hyperbee')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

interface Doc {
  title: string
}

test('a remote bee opened by URL: get() right away returns the value, and later writes arrive', async () => {
  const t = teardown()
  try {
    const a = await sdkOn(t, testnet)
    const b = await sdkOn(t, testnet)
    const db = a.Hyperbee<string, Doc>('notes', { keyEncoding: 'utf-8', valueEncoding: 'json' })
    await db.put('first', { title: 'hello' })
    await db.sub('tags').put('x', { title: 'tagged' })
    await a.flush(db)

    const copy = b.Hyperbee<string, Doc>(db.url, { keyEncoding: 'utf-8', valueEncoding: 'json' })
    // No ready(), no update(): the first read waits for the lookup and the peer it finds.
    assert.equal(await copy.get('first'), { seq: 1, key: 'first', value: { title: 'hello' } })
    assert.not.ok(copy.writable)
    assert.is((await copy.sub('tags').get('x'))?.value.title, 'tagged')
    await eventually(() => copy.peers().length === 1)

    await db.put('second', { title: 'later' })
    await eventually(async () => (await copy.get('second'))?.value.title === 'later', {
      timeout: 20_000,
    })
  } finally {
    await t.run()
  }
})

test('the same ref gives the same bee; bees, cores and drives with one name differ', async () => {
  const t = teardown()
  try {
    const sdk = await sdkOn(t, testnet)
    const bee = sdk.Hyperbee('x')
    assert.is(sdk.Hyperbee('x'), bee)
    assert.is(new sdk.Hyperbee('x'), bee, 'with or without new')
    await bee.ready()
    const key = bee.key!
    assert.is(sdk.Hyperbee(key), bee, 'its key')
    assert.is(sdk.Hyperbee(toHex(key)), bee, 'hex')
    assert.is(sdk.Hyperbee(toZ32(key)), bee, 'z-base-32')
    assert.is(sdk.Hyperbee(bee.url), bee, 'its URL')
    assert.is(sdk.Hyperbee(`dat://${toHex(key)}`), bee, 'dat://')

    const core = sdk.Hypercore('x')
    const drive = sdk.Hyperdrive('x')
    await Promise.all([core.ready(), drive.ready()])
    assert.not.equal(core.key, key, 'a core named x is not the bee named x')
    assert.not.equal(drive.key, key, 'nor is the drive named x')
    assert.is.not(sdk.Hypercore(key) as object, bee as object)

    const fresh = sdk.Hyperbee()
    assert.is.not(sdk.Hyperbee(), fresh, 'no ref: a fresh bee each time')
    await fresh.ready()
    assert.ok(fresh.writable)

    await bee.close()
    const reopened = sdk.Hyperbee('x', {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    assert.is.not(reopened as object, bee as object, 'a closed bee leaves the cache')
    await reopened.ready()
    assert.ok(b4a.equals(reopened.key!, key), 'the same name, the same key')
    assert.ok(reopened.writable)
    await reopened.put('a', 'b')
    const byUrl = sdk.Hyperbee(reopened.url, {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    assert.is(byUrl, reopened)
  } finally {
    await t.run()
  }
})

test('CLOSED after close, and after sdk.close(); a folder ref is INVALID_KEY', async () => {
  const t = teardown()
  try {
    const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
    const bee = sdk.Hyperbee('closing', {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await bee.put('k', 'v')
    const other = sdk.Hyperbee('other')
    await other.close()
    await assertRejectsCode(other.get(b4a.from('k')), 'CLOSED')
    assertThrowsCode(() => sdk.Hyperbee('./folder'), 'INVALID_KEY')
    await sdk.close()
    assert.ok(bee.closed, 'sdk.close() closes its bees')
    await assertRejectsCode(bee.get('k'), 'CLOSED')
    assertThrowsCode(() => sdk.Hyperbee('closing'), 'CLOSED')
  } finally {
    await t.run()
  }
})

test.run()
