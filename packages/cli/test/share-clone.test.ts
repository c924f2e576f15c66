import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('dat-sdk share, clone and cat across processes')

let testnet: LoopbackTestnet
let bootstrap: string[]
test.before(async () => {
  testnet = await createTestnet(3)
  bootstrap = ['--bootstrap', testnet.bootstrapList]
})
test.after(async () => {
  await testnet.destroy()
})

function makeFolder(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'hello.txt': Buffer.from('hello from the share\n'),
    'nested/deeper/data.bin': crypto.randomBytes(300 * 1024),
    'empty.txt': Buffer.alloc(0),
  }
  for (let i = 0; i < 10; i++) files[`notes/${i}.md`] = Buffer.from(`# note ${i}\n`.repeat(50))
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), data)
  }
  return files
}

async function startShare(
  t: Teardown,
  dir: string,
): Promise<{ share: Running; url: string; storage: string }> {
  const storage = t.tmpDir('share-storage')
  const share = t.add(new Running(['share', dir, ...bootstrap, '--storage', storage]))
  const [url] = await share.waitFor(/^hyper:\/\/\S+$/m)
  await share.waitFor(/^Sharing /m, 'stderr')
  return { share, url, storage }
}

test('share prints the URL; clone copies every file with a progress line and exits 0; cat prints one', async () => {
  const t = teardown()
  try {
    const source = t.tmpDir('source')
    const files = makeFolder(source)
    const { url } = await startShare(t, source)
    assert.is(
      fs.readFileSync(path.join(source, '.dat'), 'utf-8').trim(),
      url,
      '.dat names the drive',
    )

    const target = path.join(t.tmpDir('target'), 'copy')
    const cloned = await run([
      'clone',
      url,
      target,
      ...bootstrap,
      '--storage',
      t.tmpDir('clone-storage'),
    ])
    assert.is(cloned.code, 0, cloned.stderr)
    assert.match(cloned.stderr, /cloning .*13\/13 files .*\/s/)
    assert.match(cloned.stderr, /Cloned hyper:\/\/.* 13 files/)
    for (const [rel, data] of Object.entries(files)) {
      assert.ok(fs.readFileSync(path.join(target, rel)).equals(data), rel)
    }

    const cat = await run(['cat', `${url}hello.txt`, ...bootstrap])
    assert.is(cat.code, 0, cat.stderr)
    assert.is(cat.stdout, 'hello from the share\n')
    const nested = await run(['cat', `${url}nested/deeper/data.bin`, ...bootstrap])
    assert.is(nested.stdout.length > 0, true)

    const missing = await run(['cat', `${url}no/such/file.txt`, ...bootstrap])
    assert.is(missing.code, 1)
    assert.match(missing.stderr.trim(), /^dat-sdk: No file \/no\/such\/file.txt in hyper:\/\//)
  } finally {
    await t.run()
  }
})

test('share keeps the folder in sync and clone --live follows; Ctrl-C ends both with 0', async () => {
  const t = teardown()
  try {
    const source = t.tmpDir('source')
    makeFolder(source)
    const { share, url } = await startShare(t, source)
    const target = t.tmpDir('live')
    const live = t.add(
      new Running([
        'clone',
        url,
        target,
        '--live',
        ...bootstrap,
        '--storage',
        t.tmpDir('live-storage'),
      ]),
    )
    await live.waitFor(/Following the drive/, 'stderr')
    fs.writeFileSync(path.join(source, 'added-later.txt'), 'new file')
    fs.rmSync(path.join(source, 'hello.txt'))
    await eventually(
      () =>
        fs.existsSync(path.join(target, 'added-later.txt')) &&
        fs.readFileSync(path.join(target, 'added-later.txt'), 'utf-8') === 'new file' &&
        !fs.existsSync(path.join(target, 'hello.txt')),
      { timeout: 30_000, message: 'the change to reach the live clone' },
    )
    assert.match(share.stderr, /synced /)
    const [a, b] = await Promise.all([live.stop(), share.stop()])
    assert.is(a.code, 0, a.stderr)
    assert.is(b.code, 0, b.stderr)
  } finally {
    await t.run()
  }
})

test('sharing the folder again reopens the same drive; a second process on the storage is STORAGE_LOCKED', async () => {
  const t = teardown()
  try {
    const source = t.tmpDir('source')
    makeFolder(source)
    const first = await startShare(t, source)
    const locked = await run(['share', source, ...bootstrap, '--storage', first.storage])
    assert.is(locked.code, 1)
    assert.match(locked.stderr.trim(), /^dat-sdk: .*STORAGE_LOCKED/)
    assert.not.match(locked.stderr, /^\s+at /m)
    const stopped = await first.share.stop()
    assert.is(stopped.code, 0)

    const again = t.add(new Running(['share', source, ...bootstrap, '--storage', first.storage]))
    const [url] = await again.waitFor(/^hyper:\/\/\S+$/m)
    assert.is(url, first.url)
    await again.waitFor(/^Sharing /m, 'stderr')

    const elsewhere = await run(['share', source, ...bootstrap, '--storage', t.tmpDir('other')])
    assert.is(elsewhere.code, 1)
    assert.match(elsewhere.stderr.trim(), /cannot write/)
  } finally {
    await t.run()
  }
})

test('clone of a drive nobody shares gives up after --timeout with one line', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32).toString('hex')
    const r = await run([
      'clone',
      `hyper://${key}/`,
      t.tmpDir('nothing'),
      ...bootstrap,
      '--storage',
      t.tmpDir('s'),
      '--timeout',
      '2',
    ])
    assert.is(r.code, 1)
    assert.match(
      r.stderr.trim().split('\n').pop()!,
      /^dat-sdk: No peer shared hyper:\/\/.* within 2 s/,
    )
  } finally {
    await t.run()
  }
})

test.run()
