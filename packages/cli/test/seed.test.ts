// `dat-sdk seed`: what it seeds survives a SIGKILL (a restart without arguments seeds it all
// again, and a fresh reader gets it with the author offline), and `seed --list` / `--remove`
// work both while a seeder runs on the storage (through its control socket) and when none does.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createSDK } from '@dat-sdk/sdk'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('dat-sdk seed')

const FIXTURE = path.resolve(import.meta.dirname, 'fixtures/seed-author.mjs')
const LIMIT = 2000

type Parts = Record<'drive' | 'bee' | 'core', { url: string; blocks: number }>

/** The author fixture in a process of its own: resolves with its parts once they are made. */
async function startAuthor(
  bootstrap: string,
  storage: string,
): Promise<{ parts: Parts; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, [FIXTURE, bootstrap, storage], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  const m = await eventually(() => /^parts (.*)$/m.exec(out), {
    timeout: 60_000,
    message: `the author did not print its parts:\n${out}\n${err}`,
  }).catch(async (e: unknown) => {
    await kill()
    throw e
  })
  return { parts: JSON.parse(m![1]) as Parts, kill }
}

/** `hyper://abcdefghijkl…/`: how the status table names a seed. */
function short(url: string): string {
  return `hyper://${url.slice('hyper://'.length, 'hyper://'.length + 12)}…/`
}

/** Resolves once the seeder's status lines show every block of `part` held here. */
async function held(seeder: Running, part: { url: string; blocks: number }, kind: string) {
  const row = new RegExp(
    `^${escape(short(part.url))}\\s+${kind}\\s+${part.blocks}/${part.blocks} blocks`,
    'm',
  )
  await seeder.waitFor(row, 'stdout', 60_000)
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The URLs `seed --list` prints on stdout, sorted. */
async function listed(storage: string, bootstrap: string[]): Promise<string[]> {
  const r = await run(['seed', '--list', '--storage', storage, ...bootstrap])
  assert.is(r.code, 0, r.stderr)
  assert.not.match(r.stderr, /STORAGE_LOCKED/)
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0])
    .sort()
}

let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})

test.after(async () => {
  await testnet.destroy()
})

test('a seeder SIGKILLed and started again without arguments seeds all three again; a fresh reader gets them with the author offline; --list and --remove work with and without a seeder running', async () => {
  const t = teardown()
  try {
    const bootstrap = `127.0.0.1:${testnet.bootstrap[0].port}`
    const bs = ['--bootstrap', bootstrap]
    const storage = t.tmpDir('seed-storage')
    const author = await startAuthor(bootstrap, t.tmpDir('seed-author'))
    t.add(author.kill)
    const { drive, bee, core } = author.parts
    const urls = [drive.url, bee.url, core.url]

    // Seeded by URL alone: the seeder reads each ref's first block to tell its kind.
    const first = t.add(new Running(['seed', ...urls, '--storage', storage, ...bs]))
    await held(first, drive, 'drive')
    await held(first, bee, 'bee')
    await held(first, core, 'core')
    first.child.kill('SIGKILL')
    await first.exited()
    await author.kill()

    // The killed seeder left its socket behind: --list finds nobody there and opens the storage.
    assert.ok(fs.existsSync(path.join(storage, 'seed.sock')), 'a stale socket is left')
    assert.equal(await listed(storage, bs), [...urls].sort())

    const second = t.add(new Running(['seed', '--storage', storage, ...bs]))
    await held(second, drive, 'drive')
    await held(second, bee, 'bee')
    await held(second, core, 'core')
    await second.waitFor(/^Seeding 3 parts /m, 'stderr')

    // A fresh reader, the author gone: everything comes from the restarted seeder.
    const reader = await createSDK({ storage: false, bootstrap: [bootstrap] })
    try {
      const d = reader.Hyperdrive(drive.url)
      for (let i = 0; i < 20; i++) {
        assert.is(String(await d.get(`/file-${i}.txt`)), `file ${i} `.repeat(100))
      }
      const b = reader.Hyperbee(bee.url, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' })
      // A bee opened before its peer connects reads empty until it updates.
      const entries = await eventually(
        async () => {
          await b.update({ wait: true })
          const out: string[] = []
          for await (const { key, value } of b.createReadStream()) out.push(`${key}=${value}`)
          return out.length === 30 ? out : null
        },
        { timeout: 30_000 },
      )
      assert.is(entries?.[7], 'k07=v7')
      const c = reader.Hypercore<string>(core.url, { valueEncoding: 'utf-8' })
      await eventually(async () => (await c.update({ wait: true }), c.length === 40), {
        timeout: 30_000,
      })
      assert.is(await c.get(39), 'block 39')
    } finally {
      await reader.close()
    }

    // While it runs: --list asks it (the storage is locked), --remove stops that seed.
    assert.equal(await listed(storage, bs), [...urls].sort())
    const removed = await run(['seed', '--remove', bee.url, '--storage', storage, ...bs])
    assert.is(removed.code, 0, removed.stderr)
    assert.match(removed.stderr, /^Removed hyper:\/\//m)
    await second.waitFor(new RegExp(`^stopped seeding ${escape(bee.url)}$`, 'm'), 'stderr')
    assert.equal(await listed(storage, bs), [drive.url, core.url].sort())
    const again = await run(['seed', '--remove', bee.url, '--storage', storage, ...bs])
    assert.is(again.code, 1, 'removing what is not seeded is an error')
    assert.match(again.stderr, /is not seeded/)

    // Stopped: within 2 s, on its own, and its socket is gone.
    const started = Date.now()
    second.child.kill('SIGTERM')
    const result = await second.exited()
    const ms = Date.now() - started
    console.log(`seed with 2 parts: exit ${result.code} ${ms} ms after SIGTERM`)
    assert.is(result.code, 0, result.stderr)
    assert.ok(ms < LIMIT, `took ${ms} ms`)
    assert.not.match(result.stderr, /did not close within/)
    assert.not.ok(fs.existsSync(path.join(storage, 'seed.sock')), 'the socket is removed on exit')

    // No seeder: --list and --remove open the storage themselves.
    assert.equal(await listed(storage, bs), [drive.url, core.url].sort())
    const offline = await run(['seed', '--remove', core.url, '--storage', storage, ...bs])
    assert.is(offline.code, 0, offline.stderr)
    assert.equal(await listed(storage, bs), [drive.url])
  } finally {
    await t.run()
  }
})

test('seed refuses a malformed ref and a malformed --blind-peer at once', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('seed-bad')
    const bad = await run(['seed', 'hyper://not-a-key!', '--storage', storage])
    assert.is(bad.code, 1, bad.stderr)
    assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr)
    const bp = await run(['seed', '--blind-peer', 'nope', '--storage', storage])
    assert.is(bp.code, 2, bp.stderr)
    assert.match(bp.stderr, /--blind-peer takes/)
  } finally {
    await t.run()
  }
})

test.run()
