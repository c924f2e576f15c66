import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { Gossip } from '@dat-sdk/gossip'

const test = suite('README: the usage example runs as written')

const root = path.resolve(import.meta.dirname, '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8')

test('the usage example prints what its comments say, and exits on its own', async () => {
  const code = readme.match(/```js\n([\s\S]*?)```/)?.[1] ?? ''
  const expected = [...code.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map((m) => m[1])
  assert.is(expected.length, 3, 'found the example')
  // Run from the package folder so `@dat-sdk/gossip` and `corestore` resolve as for a user.
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [status, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  )
  clearTimeout(killer)
  assert.is(signal, null, `it had to be killed:\n${out}\n${err}`)
  assert.is(status, 0, err)
  assert.equal(out.trim().split('\n'), expected)
})

test('every API heading names a method gossip has', () => {
  const methods = [...readme.matchAll(/^### `gossip\.(\w+)\(/gm)].map((m) => m[1])
  assert.ok(methods.length >= 7)
  for (const name of methods) {
    assert.type((Gossip.prototype as unknown as Record<string, unknown>)[name], 'function', name)
  }
})

test.run()
