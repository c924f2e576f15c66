import assert from 'node:assert/strict'
import { suite } from 'uvu'
import { createTestnet, eventually, teardown, assertRejectsCode } from '@dat-sdk/test-utils'
import { createSDK, toHex, toZ32 } from '../src/index.js'

const test = suite('sdk Autobase')

test('Autobase by name, key and invite: same instance per ref, invitee writes, closed by close()', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const a = t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap }))
    const b = t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap }))
    const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
    const doc = a.Autobase<string, string>('doc', strings)
    await doc.ready()
    assert.equal(a.Autobase('doc'), doc, 'same name, same instance')
    assert.equal(a.Autobase(doc.url), doc, 'its URL too')
    await doc.put('k', 'from a')
    const invite = await doc.createInvite()
    const joined = b.Autobase<string, string>(invite, { ...strings, timeout: 30_000 })
    await joined.ready()
    assert.deepEqual(joined.key, doc.key)
    await eventually(() => joined.writable, { timeout: 30_000, message: 'writable' })
    await joined.put('k2', 'from b')
    await eventually(
      async () => {
        await doc.update()
        return (await doc.get('k2'))?.value === 'from b'
      },
      { timeout: 30_000 },
    )
    await a.close()
    await assertRejectsCode(doc.get('k'), 'CLOSED')
  } finally {
    await t.run()
  }
})

// The contract: a string that is no key in any spelling and has 60 or more z-base-32 characters is
// an invite. One that does not decode rejects at once with INVITE_INVALID; it never opens a new
// writable base named after itself.
test('a cut-short or made-up invite rejects INVITE_INVALID; keys and names still open bases', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const sdk = t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap }))
    const doc = sdk.Autobase('doc')
    await doc.ready()
    const invite = await doc.createInvite()
    assert.equal(invite.length, 106, 'a whole invite')

    const z32 = 'ybndrfg8ejkmcpqxot1uwisza345h769'
    let madeUp = ''
    for (let i = 0; i < invite.length; i++) madeUp += z32[(i * 7 + 3) % z32.length]
    for (const bad of [invite.slice(0, -7), madeUp]) {
      const base = sdk.Autobase(bad)
      await assertRejectsCode(base.ready(), 'INVITE_INVALID')
      assert.equal(base.key, null, 'no base was opened')
      assert.equal(base.writable, false)
      assert.notEqual(sdk.Autobase(bad), base, 'not cached as a name')
    }

    // Every spelling of a key opens the base it names (a hex key is z-base-32 letters when it has
    // no 0 or 2, and long enough to be an invite: it is still a key).
    for (const spelling of [
      doc.key!,
      toHex(doc.key!),
      toZ32(doc.key!),
      doc.url,
      `dat://${toHex(doc.key!)}`,
    ]) {
      assert.equal(sdk.Autobase(spelling), doc, `same base for ${String(spelling)}`)
    }
    const key = new Uint8Array(32).fill(0x13)
    assert.match(toHex(key), /^[ybndrfg8ejkmcpqxot1uwisza345h769]{64}$/)
    const byKey = sdk.Autobase(toHex(key))
    assert.equal(toHex(byKey.key!), toHex(key), 'read as the key it spells')
    assert.equal(sdk.Autobase(toZ32(key)), byKey, 'its z-base-32 spelling is the same base')

    // Names still work, a long one of z-base-32 letters under 60 characters included.
    const name = 'y'.repeat(59)
    const named = sdk.Autobase<string, string>(name, {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await named.ready()
    assert.equal(named.writable, true)
    await named.put('k', 'v')
    assert.equal(sdk.Autobase(name), named, 'same name, same base')
    assert.equal(sdk.Autobase('doc'), doc)
  } finally {
    await t.run()
  }
})

test.run()
