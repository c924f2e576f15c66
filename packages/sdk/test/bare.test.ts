import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'

// The published packages under Bare: each script in ./bare imports the built dist as a Bare user
// would and runs with the `bare` binary of bare-runtime-linux-x64 (a root devDependency), which
// only exists on Linux x64. Elsewhere, point BARE_BINARY at a Bare >= 1.32 binary.
const test = suite('Bare: the packages run under the Bare runtime')

const root = path.resolve(import.meta.dirname, '../../..')
const BARE =
  process.env.BARE_BINARY || path.join(root, 'node_modules/bare-runtime-linux-x64/bin/bare')
const SCRIPT_TIMEOUT = 30_000

let testnet: LoopbackTestnet
let bootstrap: string
test.before(async () => {
  testnet = await createTestnet(3)
  bootstrap = `${testnet.bootstrap[0].host}:${testnet.bootstrap[0].port}`
})
test.after(async () => {
  await testnet.destroy()
})

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function runBare(script: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BARE, [path.join(import.meta.dirname, 'bare', script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), SCRIPT_TIMEOUT)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

async function expectLine(script: string, line: string, args: string[] = []): Promise<void> {
  const run = await runBare(script, args)
  const detail = `bare ${script} exited with ${run.code}\n${run.stdout}${run.stderr}`
  assert.is(run.code, 0, detail)
  assert.is(run.stdout.trim(), line, detail)
}

test('the bare binary is there and is Bare 1.33', async () => {
  assert.ok(
    fs.existsSync(BARE),
    `no Bare binary at ${BARE}: bare-runtime-linux-x64 installs only on Linux x64; set BARE_BINARY`,
  )
  const run = await new Promise<string>((resolve, reject) => {
    const child = spawn(BARE, ['--version'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.on('error', reject)
    child.on('close', () => resolve(out.trim()))
  })
  assert.match(run, /^v1\.(3[2-9]|[4-9]\d)\./)
})

test('store: a temporary store, a named core, in-process replication and strict UTF-8 without TextDecoder', async () => {
  await expectLine('store.mjs', 'ok store hello true true BAD_MESSAGE')
})

test('core: a block replicates and the first extension message from peer-add arrives', async () => {
  await expectLine('core.mjs', 'ok core hello welcome')
})

test('drive: a file replicates and syncs out into a folder', async () => {
  await expectLine('drive.mjs', 'ok drive <h1>hello</h1> <h1>hello</h1>')
})

test('bee: a named bee replicates and is read by key', async () => {
  await expectLine('bee.mjs', 'ok bee ann@example.com')
})

test('gossip: a key advertised on one side is known on the other', async () => {
  await expectLine('gossip.mjs', 'ok gossip true')
})

test('multifeed: two multifeeds exchange manifests and each replicates the other feed', async () => {
  await expectLine('multifeed.mjs', 'ok multifeed alice 2 hi from bob, bob 2 hi from alice')
})

test('autobase: a second writer added through the log, and both views agree', async () => {
  await expectLine(
    'autobase.mjs',
    'ok autobase alice answer=hi,greeting=hello bob answer=hi,greeting=hello',
  )
})

test('networker: on the loopback testnet a core replicates and an extension message arrives', async () => {
  await expectLine('networker.mjs', 'ok networker a block hello over bare peers=1', [bootstrap])
})

test('sdk: two SDKs open, replicate a core by URL over the testnet, and close', async () => {
  await expectLine('sdk.mjs', 'ok sdk 2 world', [bootstrap])
})

test.run()
