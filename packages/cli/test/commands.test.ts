import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { createSDK } from '@dat-sdk/sdk'
import { teardown } from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('dat-sdk: usage, errors, testnet and demo')

/** One line on stderr and no stack trace. */
function oneLine(stderr: string): string {
  assert.not.match(stderr, /^\s+at /m, 'no stack trace')
  return stderr.trim().split('\n')[0]
}

test('--help prints the commands and exits 0; no command prints them and exits 2', async () => {
  const help = await run(['--help'])
  assert.is(help.code, 0)
  for (const cmd of ['share', 'clone', 'cat', 'testnet', 'demo', '--bootstrap', '--storage']) {
    assert.ok(help.stdout.includes(cmd), cmd)
  }
  const none = await run([])
  assert.is(none.code, 2)
  assert.match(none.stderr, /Usage: dat-sdk/)
  const version = await run(['--version'])
  assert.is(version.code, 0)
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
})

test('usage mistakes are one line and exit 2', async () => {
  for (const args of [
    ['frobnicate'],
    ['share'],
    ['clone', 'hyper://x'],
    ['cat'],
    ['share', '.', '--nope'],
    ['testnet', '--port', 'x'],
    ['share', '.', '--bootstrap', 'no-port'],
  ]) {
    const r = await run(args)
    assert.is(r.code, 2, args.join(' '))
    assert.match(oneLine(r.stderr), /^dat-sdk: /)
  }
})

test('bad input is one readable line and exit 1, never a stack trace', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('cli-storage')
    const bootstrap = ['--bootstrap', '127.0.0.1:9', '--storage', storage]
    const missing = await run(['share', path.join(storage, 'no-such-folder'), ...bootstrap])
    assert.is(missing.code, 1)
    assert.match(oneLine(missing.stderr), /^dat-sdk: Not a folder: /)

    const badKey = await run(['clone', 'hyper://xyz', path.join(storage, 'out'), ...bootstrap])
    assert.is(badKey.code, 1)
    assert.match(oneLine(badKey.stderr), /INVALID_KEY/)

    const badCat = await run(['cat', 'not-a-url'])
    assert.is(badCat.code, 1)
    assert.match(oneLine(badCat.stderr), /^dat-sdk: Expected hyper:\/\//)
  } finally {
    await t.run()
  }
})

test('testnet prints its loopback address, others can bootstrap from it, and Ctrl-C ends it', async () => {
  const t = teardown()
  try {
    const net = t.add(new Running(['testnet']))
    const [, address] = await net.waitFor(/^(127\.0\.0\.1:\d+)$/m)
    const a = t.add(await createSDK({ storage: false, bootstrap: [address] }))
    const b = t.add(await createSDK({ storage: false, bootstrap: [address] }))
    const core = a.Hypercore()
    await core.append(new TextEncoder().encode('through the CLI testnet'))
    await a.flush(core)
    const copy = b.Hypercore(core.key)
    await copy.ready()
    assert.is(new TextDecoder().decode((await copy.get(0))!), 'through the CLI testnet')
    await b.close()
    await a.close()
    const exit = await net.stop()
    assert.is(exit.code, 0)
  } finally {
    await t.run()
  }
})

test('demo runs every step on its own loopback testnet, exits 0 and leaves nothing behind', async () => {
  const before = new Set(
    fs.readdirSync(process.env.TMPDIR || '/tmp').filter((n) => n.startsWith('dat-sdk-demo-')),
  )
  const started = Date.now()
  const r = await run(['demo'], 90_000)
  assert.is(r.code, 0, r.stderr)
  for (const step of [
    'testnet',
    'peers',
    'share',
    'clone',
    'multifeed',
    'autobase',
    'gossip',
    'extension',
  ]) {
    assert.match(r.stdout, new RegExp(`\\d\\. ${step} `), step)
  }
  assert.match(r.stdout, /every byte matches/)
  assert.match(r.stdout, /3 feeds, 9 messages/)
  assert.match(r.stdout, /carol \(by invite\) each put 3 keys; all views hold the same 9/)
  assert.match(r.stdout, /list the same 15/)
  assert.match(r.stdout, /bob and carol answered/)
  assert.match(r.stdout, /Done in /)
  assert.ok(Date.now() - started < 60_000, 'well under a minute')
  const after = fs
    .readdirSync(process.env.TMPDIR || '/tmp')
    .filter((n) => n.startsWith('dat-sdk-demo-'))
  assert.equal(
    after.filter((n) => !before.has(n)),
    [],
  )
})

test.run()
