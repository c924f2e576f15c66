// `share --encrypt`: an encrypted drive whose key is printed once, on stderr, and goes nowhere
// else (no stdout line, no process argument). Readers pass it in $DAT_SDK_ENCRYPTION_KEY; without
// it, or with a wrong one, they fail with one DECRYPTION_FAILED line.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { toKey, toZ32 } from '@dat-sdk/sdk'
import { createTestnet, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('dat-sdk share --encrypt')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** Every spelling of the key a leak could take. */
function spellings(key: string): string[] {
  const bytes = toKey(key)
  return [key, Buffer.from(bytes).toString('hex'), Buffer.from(bytes).toString('base64')]
}

function assertNoKey(text: string, key: string, where: string): void {
  for (const s of spellings(key)) assert.not.ok(text.includes(s), `the key is in ${where}`)
}

/** The process's arguments as the OS shows them to every user (ps). */
function cmdline(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8').split('\0').join(' ')
}

test('the key is printed once on stderr; clone reads with it, and fails DECRYPTION_FAILED without it or with a wrong one', async () => {
  const t = teardown()
  try {
    const bs = ['--bootstrap', `127.0.0.1:${testnet.bootstrap[0].port}`]
    const src = t.tmpDir('encrypt-src')
    const binary = crypto.randomBytes(200 * 1024)
    fs.writeFileSync(path.join(src, 'secret.txt'), 'a plaintext marker: zebra-kettle-4411\n')
    fs.mkdirSync(path.join(src, 'sub'))
    fs.writeFileSync(path.join(src, 'sub', 'data.bin'), binary)
    const shareStorage = t.tmpDir('encrypt-share')

    const share = t.add(new Running(['share', src, '--encrypt', '--storage', shareStorage, ...bs]))
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    const [, key] = await share.waitFor(/^Encryption key \(shown once\): (\S+)$/m, 'stderr')
    await share.waitFor(/^Sharing /m, 'stderr')
    assert.is(toKey(key).byteLength, 32)
    assert.match(share.stderr, /DAT_SDK_ENCRYPTION_KEY/)
    assert.is(share.stderr.split(key).length - 1, 1, 'the key is printed exactly once')
    assertNoKey(share.stdout, key, 'share stdout')
    assertNoKey(url, key, 'the URL')
    assertNoKey(cmdline(share.child.pid!), key, 'the share process arguments')

    // With the key, in the environment: every file, byte-identical.
    const env = { DAT_SDK_ENCRYPTION_KEY: key }
    const target = path.join(t.tmpDir('encrypt-clone'), 'copy')
    const clone = new Running(
      ['clone', url, target, '--storage', t.tmpDir('ec'), ...bs],
      undefined,
      env,
    )
    assertNoKey(cmdline(clone.child.pid!), key, 'the clone process arguments')
    const cloned = await clone.exited()
    assert.is(cloned.code, 0, cloned.stderr)
    assert.is(
      fs.readFileSync(path.join(target, 'secret.txt'), 'utf-8'),
      'a plaintext marker: zebra-kettle-4411\n',
    )
    assert.ok(fs.readFileSync(path.join(target, 'sub', 'data.bin')).equals(binary))
    assertNoKey(cloned.stdout + cloned.stderr, key, 'clone output')

    // cat, with the key.
    const cat = await run(['cat', `${url}secret.txt`, ...bs], 60_000, undefined, env)
    assert.is(cat.code, 0, cat.stderr)
    assert.is(cat.stdout, 'a plaintext marker: zebra-kettle-4411\n')

    // Without it, and with a wrong one: one line, DECRYPTION_FAILED, exit 1, no plaintext written.
    const wrong = toZ32(crypto.randomBytes(32))
    for (const [label, extra] of [
      ['without the key', undefined],
      ['with a wrong key', { DAT_SDK_ENCRYPTION_KEY: wrong }],
    ] as const) {
      const dir = path.join(t.tmpDir('encrypt-fail'), 'copy')
      const r = await run(
        ['clone', url, dir, '--storage', t.tmpDir('ef'), ...bs],
        60_000,
        undefined,
        extra,
      )
      assert.is(r.code, 1, `${label}: ${r.stderr}`)
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('dat-sdk: '))
      assert.is(lines.length, 1, `${label}: ${r.stderr}`)
      assert.match(lines[0], /DECRYPTION_FAILED/, label)
      assert.not.ok(fs.existsSync(path.join(dir, 'secret.txt')), `${label}: a file was written`)
      assertNoKey(r.stdout + r.stderr, key, `${label}: the output`)
    }

    // The folder's share, started again: without the key it says how to give it; with it, the
    // same drive, and no key printed again.
    await share.stop()
    const again = await run(['share', src, '--storage', shareStorage, ...bs])
    assert.is(again.code, 1, again.stderr)
    assert.match(again.stderr, /\$DAT_SDK_ENCRYPTION_KEY/, again.stderr)
    assert.match(again.stderr, /DECRYPTION_FAILED/)
    const rekey = await run(['share', src, '--encrypt', '--storage', shareStorage, ...bs])
    assert.is(rekey.code, 1, 'a fresh key for a folder shared before is refused')
    const resumed = t.add(
      new Running(['share', src, '--storage', shareStorage, ...bs], undefined, env),
    )
    await resumed.waitFor(/^Sharing /m, 'stderr')
    assert.ok(resumed.stdout.startsWith(url), resumed.stdout)
    assertNoKey(resumed.stdout + resumed.stderr, key, 'the restarted share')
  } finally {
    await t.run()
  }
})

test('seed with $DAT_SDK_ENCRYPTION_KEY keeps an encrypted drive, again after a restart without it; a reader with the key gets it from the seeder alone', async () => {
  const t = teardown()
  try {
    const bs = ['--bootstrap', `127.0.0.1:${testnet.bootstrap[0].port}`]
    const src = t.tmpDir('encrypt-seed-src')
    fs.writeFileSync(path.join(src, 'secret.txt'), 'seeded in secret\n')
    const share = t.add(
      new Running(['share', src, '--encrypt', '--storage', t.tmpDir('es-share'), ...bs]),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    const [, key] = await share.waitFor(/^Encryption key \(shown once\): (\S+)$/m, 'stderr')
    await share.waitFor(/^Sharing /m, 'stderr')
    const env = { DAT_SDK_ENCRYPTION_KEY: key }
    const storage = t.tmpDir('es-seed')
    const row = /^hyper:\S+\s+drive\s+(\d+)\/\1 blocks/m

    const seed = t.add(new Running(['seed', url, '--storage', storage, ...bs], undefined, env))
    assertNoKey(cmdline(seed.child.pid!), key, 'the seed process arguments')
    await seed.waitFor(row, 'stdout', 60_000)
    seed.child.kill('SIGKILL')
    await seed.exited()
    share.child.kill('SIGKILL')
    await share.exited()

    // Started again without the key: the seed record keeps it, locally.
    const again = t.add(new Running(['seed', '--storage', storage, ...bs]))
    await again.waitFor(row, 'stdout', 60_000)
    await again.waitFor(/^Seeding 1 part /m, 'stderr')
    assertNoKey(again.stdout + again.stderr, key, 'the seeder output')
    const got = await run(['cat', `${url}secret.txt`, ...bs], 60_000, undefined, env)
    assert.is(got.code, 0, got.stderr)
    assert.is(got.stdout, 'seeded in secret\n')
  } finally {
    await t.run()
  }
})

test('serve with $DAT_SDK_ENCRYPTION_KEY serves the encrypted drive it names, to its own origin only; without the key, 403 DECRYPTION_FAILED; share --encrypt --serve serves it too', async () => {
  const t = teardown()
  try {
    const bs = ['--bootstrap', `127.0.0.1:${testnet.bootstrap[0].port}`]
    const src = t.tmpDir('serve-src')
    fs.writeFileSync(path.join(src, 'secret.txt'), 'served with its key: otter-lamp-2290\n')
    const share = t.add(
      new Running(['share', src, '--encrypt', '--serve', '--storage', t.tmpDir('ss'), ...bs]),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    const [, key] = await share.waitFor(/^Encryption key \(shown once\): (\S+)$/m, 'stderr')
    const [page] = await share.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/hyper\/\S+\/$/m)
    const own = await fetch(`${page}secret.txt`)
    assert.is(own.status, 200, 'share --serve serves its encrypted drive')
    assert.is(await own.text(), 'served with its key: otter-lamp-2290\n')
    assert.is(own.headers.get('access-control-allow-origin'), null)
    const env = { DAT_SDK_ENCRYPTION_KEY: key }
    const file = `hyper/${url.slice('hyper://'.length)}secret.txt`

    const serve = t.add(
      new Running(['serve', url, '--storage', t.tmpDir('sv'), ...bs], undefined, env),
    )
    const [address] = await serve.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/$/m)
    assertNoKey(cmdline(serve.child.pid!), key, 'the serve process arguments')
    const res = await fetch(`${address}${file}`)
    assert.is(res.status, 200)
    assert.is(await res.text(), 'served with its key: otter-lamp-2290\n')
    assert.is(res.headers.get('access-control-allow-origin'), null, 'no CORS: its origin only')

    const keyless = t.add(new Running(['serve', '--storage', t.tmpDir('sk'), ...bs]))
    const [other] = await keyless.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/$/m)
    const denied = await fetch(`${other}${file}`)
    assert.is(denied.status, 403)
    const body = (await denied.json()) as { code: string; message: string }
    assert.is(body.code, 'DECRYPTION_FAILED')
    assert.type(body.message, 'string')
    assert.is(keyless.child.exitCode, null, 'the gateway is still up')
    assertNoKey(serve.stdout + serve.stderr + keyless.stdout + keyless.stderr, key, 'output')
    const stopped = await serve.stop()
    assert.is(stopped.code, 0, stopped.stderr)
  } finally {
    await t.run()
  }
})

test('serve: a key without a drive to use it for, or a drive without a key, is a usage error', async () => {
  const key = toZ32(crypto.randomBytes(32))
  const noDrive = await run(['serve'], 30_000, undefined, { DAT_SDK_ENCRYPTION_KEY: key })
  assert.is.not(noDrive.code, 0)
  assert.match(noDrive.stderr, /name the encrypted drive/)
  assert.not.ok(noDrive.stderr.includes(key))
  const noKey = await run(['serve', `hyper://${'a'.repeat(64)}`], 30_000, undefined, {
    DAT_SDK_ENCRYPTION_KEY: '',
  })
  assert.is.not(noKey.code, 0)
  assert.match(noKey.stderr, /DAT_SDK_ENCRYPTION_KEY/)
})

test('a malformed $DAT_SDK_ENCRYPTION_KEY is refused without repeating it', async () => {
  const secret = 'not-a-key-but-secret-looking-7781'
  const r = await run(
    ['clone', `hyper://${'a'.repeat(64)}`, '/nonexistent/copy'],
    30_000,
    undefined,
    {
      DAT_SDK_ENCRYPTION_KEY: secret,
    },
  )
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stderr, /DAT_SDK_ENCRYPTION_KEY is not an encryption key/)
  assert.not.ok(r.stderr.includes(secret))
})

test.run()
