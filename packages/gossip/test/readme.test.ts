import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { Gossip } from '@dat-sdk/gossip'
import { checkReadmeExample } from '@dat-sdk/test-utils'

const test = suite('README: the usage example runs as written')

const root = path.resolve(import.meta.dirname, '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8')

test('the usage example runs as written and prints what its comments say', async () => {
  await checkReadmeExample(root)
})

test('every API heading names a method gossip has', () => {
  const methods = [...readme.matchAll(/^### `gossip\.(\w+)\(/gm)].map((m) => m[1])
  assert.ok(methods.length >= 7)
  for (const name of methods) {
    assert.type(Reflect.get(Gossip.prototype, name), 'function', name)
  }
})

test.run()
