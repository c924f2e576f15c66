import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { checkReadmeExample, createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'

const test = suite('README: the usage example runs as written')

const root = path.resolve(import.meta.dirname, '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('the usage example runs as written and prints what its comments say', async () => {
  const bootstrap = testnet.bootstrapList
  await checkReadmeExample(root, { env: { DAT_SDK_BOOTSTRAP: bootstrap } })
})

test('every API heading names a call the SDK has', async () => {
  const { createSDK } = await import('@dat-sdk/sdk')
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  try {
    const headings = [
      ...readme.matchAll(/^## `(?:await )?(?:const sdk = await )?(?:sdk\.)?(\w+)/gm),
    ].map((m) => m[1])
    for (const name of headings) {
      if (name === 'createSDK' || name === 'NetworkerLike') continue
      assert.ok(name in sdk, `sdk.${name}`)
    }
  } finally {
    await sdk.close()
  }
})

test.run()
