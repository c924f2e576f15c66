import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import b4a from 'b4a'
import { createSDK } from '@dat-sdk/sdk'
import { rejectionCode, createTestnet, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { startSilentServer } from './helpers/dns-server.js'

const test = suite('createSDK: storage, restarts and exiting')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('after a restart: a named core reopened by its URL is writable, and the name is the same instance', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('restart')
    let url: string
    let driveKey: Uint8Array
    let feedKey: Uint8Array
    {
      const sdk = await createSDK({ storage, bootstrap: testnet.bootstrap })
      const core = sdk.Hypercore<string>('journal', { valueEncoding: 'utf-8' })
      await core.append(['one', 'two'])
      url = core.url!
      const sameRun = sdk.Hypercore(url)
      assert.is(sameRun, core)
      const drive = sdk.Hyperdrive('site')
      await drive.put('/index.html', '<h1>hi</h1>')
      driveKey = drive.key!
      const multi = sdk.Multifeed('log')
      feedKey = (await multi.writer('me')).key!
      await sdk.close()
    }
    const sdk = t.add(await createSDK({ storage, bootstrap: testnet.bootstrap }))
    const byUrl = sdk.Hypercore<string>(url, { valueEncoding: 'utf-8' })
    await byUrl.ready()
    assert.ok(byUrl.writable, 'writable through its URL after a restart')
    assert.is(byUrl.length, 2)
    await byUrl.append('three')
    assert.is(await byUrl.get(2), 'three')
    assert.is(sdk.Hypercore('journal'), byUrl, 'the name finds the instance opened by URL')

    const drive = sdk.Hyperdrive('site')
    await drive.ready()
    assert.ok(b4a.equals(drive.key!, driveKey), 'a named drive keeps its key')
    assert.ok(drive.writable)
    assert.is(b4a.toString((await drive.get('/index.html'))!), '<h1>hi</h1>')
    const byKey = sdk.Hyperdrive(driveKey)
    assert.is(byKey, drive)

    const multi = sdk.Multifeed('log')
    const writer = await multi.writer('me')
    assert.ok(b4a.equals(writer.key!, feedKey), 'a multifeed writer keeps its feed')
  } finally {
    await t.run()
  }
})

test('a storage directory already open is STORAGE_LOCKED, in this process and in another', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('locked')
    t.add(await createSDK({ storage, bootstrap: testnet.bootstrap }))
    assert.is(
      await rejectionCode(createSDK({ storage, bootstrap: testnet.bootstrap })),
      'STORAGE_LOCKED',
    )
    const script = `import { createSDK } from '@dat-sdk/sdk'
      createSDK({ storage: ${JSON.stringify(storage)}, bootstrap: ['127.0.0.1:9'] }).then(
        (s) => s.close().then(() => console.log('opened')),
        (e) => console.log(e.code))`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    await new Promise((resolve) => child.on('close', resolve))
    assert.is(out.trim(), 'STORAGE_LOCKED')
  } finally {
    await t.run()
  }
})

test('storage: false keeps nothing: its directory is gone after close()', async () => {
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  const dir = sdk.store.directory!
  await sdk.Hypercore('x').append(b4a.from('y'))
  assert.ok(fs.existsSync(dir))
  await sdk.close()
  assert.not.ok(fs.existsSync(dir))
})

test('after close() the process exits on its own, with one of everything opened', async () => {
  const t = teardown()
  try {
    const silent = t.add(await startSilentServer())
    for (const storage of ['-', t.tmpDir('child')]) {
      const b = testnet.bootstrap[0]
      const child = spawn(
        process.execPath,
        [
          path.join(import.meta.dirname, 'fixtures', 'open-and-close.mjs'),
          `${b.host}:${b.port}`,
          silent.address,
          storage,
        ],
        { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let out = ''
      let err = ''
      child.stdout.on('data', (d) => (out += d))
      child.stderr.on('data', (d) => (err += d))
      let closedAt = 0
      child.stdout.on('data', () => {
        if (!closedAt && out.includes('closed')) closedAt = Date.now()
      })
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.on('close', (c, s) => resolve([c, s])),
      )
      clearTimeout(killer)
      assert.is(signal, null, `killed: it did not exit on its own\n${out}\n${err}`)
      assert.is(exitCode, 0, err)
      assert.ok(closedAt > 0, 'it closed')
      assert.ok(Date.now() - closedAt < 5000, 'and exited soon after')
    }
  } finally {
    await t.run()
  }
})

test.run()
