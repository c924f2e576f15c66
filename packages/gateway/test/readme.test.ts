import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { checkReadmeExample, createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import * as gateway from '../src/index.js'

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

test('every API heading names an export or a Gateway method', () => {
  const headings = [...readme.matchAll(/^## `(?:await )?(\w+)(?:\.(\w+))?\(/gm)]
  assert.ok(headings.length >= 3)
  for (const [, name, method] of headings) {
    if (method) assert.type(gateway.Gateway.prototype[method as 'close'], 'function', method)
    else assert.ok(name in gateway, name)
  }
})

test.run()
