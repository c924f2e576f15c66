import assert from 'node:assert/strict'
import { suite } from 'uvu'
import { createTestnet, eventually, teardown, assertRejectsCode } from '@dat-sdk/test-utils'
import { createSDK } from '../src/index.js'

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

test.run()
