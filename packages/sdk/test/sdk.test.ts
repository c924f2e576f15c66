import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { createSDK, toHex, toZ32, toURL, type SDK } from '@dat-sdk/sdk'
import { Networker } from '@dat-sdk/networker'
import {
  createTestnet,
  teardown,
  type LoopbackTestnet,
  assertRejectsCode,
} from '@dat-sdk/test-utils'

const test = suite('createSDK: one SDK')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

async function sdkOn(t: ReturnType<typeof teardown>, opts = {}): Promise<SDK> {
  return t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap, ...opts }))
}

test('Hypercore() with and without new gives a fresh writable Core', async () => {
  const t = teardown()
  try {
    const { Hypercore } = await sdkOn(t)
    const a = Hypercore()
    const b = new Hypercore()
    await Promise.all([a.ready(), b.ready()])
    assert.ok(a.writable && b.writable)
    assert.not.ok(b4a.equals(a.key!, b.key!), 'two fresh cores')
    await a.append(b4a.from('hello'))
    assert.is(b4a.toString((await a.get(0))!), 'hello')
    assert.is(a.url, toURL(a.key!))
  } finally {
    await t.run()
  }
})

test('every spelling of a key, and a name and the key it derives, give the same instance', async () => {
  const t = teardown()
  try {
    const { Hypercore } = await sdkOn(t)
    const named = Hypercore('my-feed')
    assert.is(Hypercore('my-feed'), named, 'same name, same instance before ready')
    await named.ready()
    const key = named.key!
    for (const spelling of [
      key,
      toHex(key),
      toZ32(key),
      toURL(key),
      `hyper://${toHex(key)}/some/path`,
      `dat://${toZ32(key)}`,
    ]) {
      assert.is(Hypercore(spelling), named, `spelling ${String(spelling)}`)
    }
    const fresh = Hypercore()
    await fresh.ready()
    assert.is(Hypercore(fresh.key), fresh, 'a fresh core is found by its key once open')
  } finally {
    await t.run()
  }
})

test('the key a name derives is the same ref even before the named core opened', async () => {
  const t = teardown()
  try {
    const sdk = await sdkOn(t)
    const probe = sdk.store.get({ name: 'derive-me' })
    await probe.ready()
    const key = probe.key!
    await probe.close()
    const byKey = sdk.Hypercore(toHex(key))
    const byName = sdk.Hypercore('derive-me')
    assert.is(byName, byKey)
    await byName.ready()
    assert.ok(byName.writable, 'opened by key, still writable')
  } finally {
    await t.run()
  }
})

test('cores and drives are separate refs; a closed instance is replaced by a new one', async () => {
  const t = teardown()
  try {
    const { Hypercore, Hyperdrive } = await sdkOn(t)
    const core = Hypercore('x')
    const drive = Hyperdrive('x')
    await Promise.all([core.ready(), drive.ready()])
    assert.is.not(core as object, drive as object)
    assert.not.ok(b4a.equals(core.key!, drive.key!))
    assert.is(Hyperdrive('x'), drive)
    assert.is(Hyperdrive(drive.key), drive)
    await core.close()
    const again = Hypercore('x')
    assert.is.not(again, core)
    await again.ready()
    assert.ok(b4a.equals(again.key!, core.key!))
  } finally {
    await t.run()
  }
})

test('Hyperdrive() makes a writable drive; files round-trip', async () => {
  const t = teardown()
  try {
    const { Hyperdrive } = await sdkOn(t)
    const drive = new Hyperdrive()
    await drive.ready()
    assert.ok(drive.writable)
    await drive.put('/hello.txt', 'hi there')
    assert.is(b4a.toString((await drive.get('/hello.txt'))!), 'hi there')
    assert.ok(drive.url?.startsWith('hyper://'))
  } finally {
    await t.run()
  }
})

test('Corestore(name) is the same namespace for the same name, with default() and get()', async () => {
  const t = teardown()
  try {
    const { Corestore } = await sdkOn(t)
    const a = Corestore('app')
    assert.is(Corestore('app'), a)
    const other = Corestore()
    assert.is.not(other, a)
    const d1 = a.default()
    const d2 = other.default()
    await Promise.all([d1.ready(), d2.ready()])
    assert.not.ok(b4a.equals(d1.key!, d2.key!), 'namespaces derive different keys')
    const named = a.get({ name: 'thing' })
    await named.ready()
    assert.ok(named.writable)
  } finally {
    await t.run()
  }
})

test('a folder is not a core ref, and a malformed URL is INVALID_KEY', async () => {
  const t = teardown()
  try {
    const { Hypercore, Hyperdrive } = await sdkOn(t)
    await assertRejectsCode(() => Hypercore('./some/folder'), 'INVALID_KEY')
    await assertRejectsCode(() => Hypercore('hyper://xyz'), 'INVALID_KEY')
    await assertRejectsCode(() => Hyperdrive('dat://' + 'a'.repeat(63)), 'INVALID_KEY')
    await assertRejectsCode(() => Hypercore(new Uint8Array(31)), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

test('bootstrap as host:port strings; autoJoin joins a core and leaves it on close', async () => {
  const t = teardown()
  try {
    const bootstrap = testnet.bootstrap.map((b) => `${b.host}:${b.port}`)
    const sdk = await sdkOn(t, { bootstrap })
    const networker = sdk.networker
    if (!(networker instanceof Networker)) throw new Error('the default networker is a Networker')
    const core = sdk.Hypercore()
    await core.ready()
    assert.ok(networker.joined(core.discoveryKey!), 'joined on open')
    await core.close()
    assert.not.ok(networker.joined(core.discoveryKey!), 'left on close')
    const quiet = await sdkOn(t, { autoJoin: false })
    const c2 = quiet.Hypercore()
    await c2.ready()
    const n2 = quiet.networker
    if (!(n2 instanceof Networker)) throw new Error('the default networker is a Networker')
    assert.not.ok(n2.joined(c2.discoveryKey!), 'autoJoin: false joins nothing')
  } finally {
    await t.run()
  }
})

test("closing a part leaves its topic, the SDK's parts and the ref cache, and no other part's", async () => {
  const t = teardown()
  try {
    const sdk = await sdkOn(t)
    const networker = sdk.networker
    if (!(networker instanceof Networker)) throw new Error('the default networker is a Networker')
    const named = sdk.Hyperdrive('named')
    const fresh = sdk.Hyperdrive()
    const kept = sdk.Hyperdrive('kept')
    await Promise.all([named.ready(), fresh.ready(), kept.ready()])
    assert.is(sdk.Hyperdrive(fresh.key!), fresh, 'a drive opened with no ref is found by its key')
    assert.is(sdk.Hyperdrive(named.url!), named, 'a named drive by its URL')
    await Promise.all([named.close(), fresh.close()])
    for (const drive of [named, fresh]) {
      assert.not.ok(networker.joined(drive.discoveryKey!), 'a closed drive left its topic')
      assert.not.ok(sdk.parts().includes(drive), "and the SDK's parts")
    }
    assert.ok(networker.joined(kept.discoveryKey!), 'the drive left open keeps its topic')
    assert.ok(sdk.parts().includes(kept))
    assert.is(sdk.Hyperdrive('kept'), kept, 'and its place in the ref cache')
    const again = sdk.Hyperdrive(fresh.key!)
    assert.is.not(again, fresh, 'a closed drive is not handed back')
    await again.ready()
    assert.ok(networker.joined(fresh.discoveryKey!), 'opened again, it joins again')
  } finally {
    await t.run()
  }
})

test('after close(): the shortcuts and resolveName are CLOSED, and so are the parts', async () => {
  const t = teardown()
  try {
    const sdk = await sdkOn(t)
    const core = sdk.Hypercore()
    const drive = sdk.Hyperdrive()
    await Promise.all([core.ready(), drive.ready()])
    await sdk.close()
    assert.ok(core.closed && drive.closed, 'close() closed what the SDK opened')
    await assertRejectsCode(() => sdk.Hypercore(), 'CLOSED')
    await assertRejectsCode(() => sdk.Hyperdrive(), 'CLOSED')
    await assertRejectsCode(() => sdk.Corestore('x'), 'CLOSED')
    await assertRejectsCode(() => sdk.Gossip(), 'CLOSED')
    await assertRejectsCode(() => sdk.Multifeed('x'), 'CLOSED')
    await assertRejectsCode(() => sdk.resolveName('hyper://example.com'), 'CLOSED')
    await assertRejectsCode(() => core.get(0), 'CLOSED')
    await assertRejectsCode(() => core.append(b4a.from('x')), 'CLOSED')
    await assertRejectsCode(() => drive.get('/x'), 'CLOSED')
    await sdk.close() // twice is fine
  } finally {
    await t.run()
  }
})

test.run()
