import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'

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

/** The ```js blocks, and what each `console.log(...) // expected` line says it prints. */
function examples(): Array<{ code: string; expected: string[] }> {
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map(([, code]) => ({
    code,
    expected: [...code.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map((m) => m[1]),
  }))
}

test('the usage example prints what its comments say, and exits on its own', async () => {
  const [example] = examples()
  assert.ok(example && example.expected.length >= 3, 'found the example')
  const bootstrap = testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')
  // Run from the package folder so `@dat-sdk/sdk` resolves to this package, on the loopback testnet.
  const child = spawn(process.execPath, ['--input-type=module', '-e', example.code], {
    cwd: root,
    env: { ...process.env, DAT_SDK_BOOTSTRAP: bootstrap },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  )
  clearTimeout(killer)
  assert.is(signal, null, `it had to be killed:\n${out}\n${err}`)
  assert.is(code, 0, err)
  assert.equal(out.trim().split('\n'), example.expected)
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
