// The README's example is test/example.ts, word for word: that file is type-checked with every
// test, so the example cannot drift from the types it shows.
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('README: the example is the type-checked test/example.ts')
const root = path.resolve(import.meta.dirname, '..')

test('the ```ts block of the README is test/example.ts', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8')
  const block = readme.match(/```ts\n([\s\S]*?)```/)
  assert.ok(block, 'the README has a ```ts block')
  const example = fs.readFileSync(path.join(root, 'test', 'example.ts'), 'utf-8')
  const body = example.split('\n').slice(2).join('\n') // without the two comment lines above
  assert.is(block[1], body)
})

test('the package is types only: its built entry exports nothing at run time', async () => {
  const mod: Record<string, unknown> = await import('@dat-sdk/interfaces')
  assert.equal(Object.keys(mod), [])
})

test.run()
