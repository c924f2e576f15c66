import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { teardown } from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('README: the commands and the example session')

const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf-8')
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, code]) => code)

/** A README line as argv: comments dropped, placeholders filled in. */
function argv(line: string, values: Record<string, string>): string[] {
  let text = line.replace(/\s+#.*$/, '').trim()
  for (const [name, value] of Object.entries(values)) text = text.split(name).join(value)
  const words = text.split(/\s+/)
  assert.is(words[0], 'dat-sdk')
  return words.slice(1)
}

test('the commands documented are the commands the binary has', async () => {
  const documented = [...readme.matchAll(/^## `dat-sdk ([\w-]+)/gm)].map((m) => m[1]).sort()
  const help = await run(['--help'])
  const listed = [...help.stdout.matchAll(/^  ([\w-]+) /gm)].map((m) => m[1]).sort()
  assert.equal(documented, listed)
  assert.is(blocks[1].trim(), 'dat-sdk demo')
})

test('the example session runs as written: testnet, share, clone, cat', async () => {
  const t = teardown()
  try {
    const cwd = t.tmpDir('readme-session')
    fs.mkdirSync(path.join(cwd, 'photos', 'notes'), { recursive: true })
    fs.writeFileSync(path.join(cwd, 'photos', 'notes', 'today.txt'), 'a note for today\n')
    fs.writeFileSync(path.join(cwd, 'photos', 'cat.jpg'), Buffer.alloc(64 * 1024, 7))
    const lines = blocks[2].trim().split('\n')
    // Each process gets its own storage unless the line names one (two on one storage would lock).
    const storage = (name: string) => ['--storage', path.join(cwd, `${name}-storage`)]

    const testnet = t.add(new Running(argv(lines[0], {}), cwd))
    const [, port] = await testnet.waitFor(/^127\.0\.0\.1:(\d+)$/m)

    const share = t.add(
      new Running([...argv(lines[1], { '<port>': port }), ...storage('share')], cwd),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    await share.waitFor(/^Sharing /m, 'stderr')
    const key = url.slice('hyper://'.length, -1)

    const clone = await run(argv(lines[2], { '<port>': port, '<key>': key }), 60_000, cwd)
    assert.is(clone.code, 0, clone.stderr)
    assert.is(
      fs.readFileSync(path.join(cwd, 'copy', 'notes', 'today.txt'), 'utf-8'),
      'a note for today\n',
    )
    assert.ok(fs.existsSync(path.join(cwd, 'clone-data')), '--storage ./clone-data was used')

    const cat = await run(argv(lines[3], { '<port>': port, '<key>': key }), 60_000, cwd)
    assert.is(cat.code, 0, cat.stderr)
    assert.is(cat.stdout, 'a note for today\n')

    assert.is((await share.stop()).code, 0)
    assert.is((await testnet.stop()).code, 0)
  } finally {
    await t.run()
  }
})

test('the blind-peer line runs as written: it prints its key and stores in ./blind-peer', async () => {
  const t = teardown()
  try {
    const cwd = t.tmpDir('readme-blind-peer')
    const testnet = t.add(new Running(['testnet'], cwd))
    const [, port] = await testnet.waitFor(/^127\.0\.0\.1:(\d+)$/m)
    const line = blocks[3].trim()
    assert.ok(line.startsWith('dat-sdk blind-peer '), line)
    const blindPeer = t.add(new Running(argv(line, { '<port>': port }), cwd))
    const [key] = await blindPeer.waitFor(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/m)
    await blindPeer.waitFor(new RegExp(`--blind-peer ${key}`), 'stderr')
    assert.ok(fs.existsSync(path.join(cwd, 'blind-peer', 'identity')))
    assert.is((await blindPeer.stop()).code, 0)
    assert.is((await testnet.stop()).code, 0)
  } finally {
    await t.run()
  }
})

test('the seed lines run as written: share and seed to a blind peer, --list and --remove while it runs', async () => {
  const t = teardown()
  try {
    const cwd = t.tmpDir('readme-seed')
    fs.mkdirSync(path.join(cwd, 'photos'))
    fs.writeFileSync(path.join(cwd, 'photos', 'cat.jpg'), Buffer.alloc(64 * 1024, 7))
    const testnet = t.add(new Running(['testnet'], cwd))
    const [, port] = await testnet.waitFor(/^127\.0\.0\.1:(\d+)$/m)
    const blindPeer = t.add(new Running(argv(blocks[3].trim(), { '<port>': port }), cwd))
    const [bp] = await blindPeer.waitFor(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/m)

    const lines = blocks[4].trim().split('\n')
    const values = { '<port>': port, '<bp>': bp }
    const share = t.add(
      new Running([...argv(lines[0], values), '--storage', path.join(cwd, 'share-storage')], cwd),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    await share.waitFor(/^backed up: /m, 'stderr', 60_000)
    const key = url.slice('hyper://'.length, -1)
    const withKey = { ...values, '<key>': key }

    const seed = t.add(new Running(argv(lines[1], withKey), cwd))
    await seed.waitFor(
      /^hyper:\S+\s+drive\s+(\d+)\/\1 blocks\s+\d+ peers?\s+blind peer \S+: backed up$/m,
    )
    const list = await run(argv(lines[2], withKey), 60_000, cwd)
    assert.is(list.code, 0, list.stderr)
    assert.is(list.stdout, `${url} drive\n`)
    const remove = await run(argv(lines[3], withKey), 60_000, cwd)
    assert.is(remove.code, 0, remove.stderr)
    await seed.waitFor(/^stopped seeding /m, 'stderr')

    assert.is((await seed.stop()).code, 0)
    assert.is((await share.stop()).code, 0)
    assert.is((await blindPeer.stop()).code, 0)
    assert.is((await testnet.stop()).code, 0)
  } finally {
    await t.run()
  }
})

test('the private drive lines run as written: the key from share --encrypt opens the clone and serve', async () => {
  const t = teardown()
  try {
    const cwd = t.tmpDir('readme-private')
    fs.mkdirSync(path.join(cwd, 'diary'))
    fs.writeFileSync(path.join(cwd, 'diary', 'monday.txt'), 'dear diary\n')
    const testnet = t.add(new Running(['testnet'], cwd))
    const [, port] = await testnet.waitFor(/^127\.0\.0\.1:(\d+)$/m)
    const lines = blocks[5].trim().split('\n')
    const share = t.add(
      new Running([...argv(lines[0], { '<port>': port }), '--storage', path.join(cwd, 's')], cwd),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    const [, secret] = await share.waitFor(/^Encryption key \(shown once\): (\S+)$/m, 'stderr')
    await share.waitFor(/^Sharing /m, 'stderr')
    // The line sets the key in the environment: so does the test, never in the arguments.
    const prefix = 'DAT_SDK_ENCRYPTION_KEY=<secret> '
    assert.ok(lines[1].startsWith(prefix), lines[1])
    const key = url.slice('hyper://'.length, -1)
    const args = argv(lines[1].slice(prefix.length), { '<port>': port, '<key>': key })
    const clone = await run([...args, '--storage', path.join(cwd, 'c')], 60_000, cwd, {
      DAT_SDK_ENCRYPTION_KEY: secret,
    })
    assert.is(clone.code, 0, clone.stderr)
    assert.is(fs.readFileSync(path.join(cwd, 'diary-copy', 'monday.txt'), 'utf-8'), 'dear diary\n')
    // serve, with the key in the environment: the drive's files, to its own origin only.
    assert.ok(lines[2].startsWith(prefix), lines[2])
    const serveArgs = argv(lines[2].slice(prefix.length), { '<port>': port, '<key>': key })
    const serve = t.add(
      new Running([...serveArgs, '--storage', path.join(cwd, 'g')], cwd, {
        DAT_SDK_ENCRYPTION_KEY: secret,
      }),
    )
    const [address] = await serve.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/$/m)
    const res = await fetch(`${address}hyper/${key}/monday.txt`)
    assert.is(res.status, 200)
    assert.is(await res.text(), 'dear diary\n')
    assert.is(res.headers.get('access-control-allow-origin'), null)
    assert.is((await serve.stop()).code, 0)
    assert.is((await share.stop()).code, 0)
    assert.is((await testnet.stop()).code, 0)
  } finally {
    await t.run()
  }
})

test.run()
