import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import b4a from 'b4a'
import { createSDK, toHex, toZ32, type SDK } from '@dat-sdk/sdk'
import {
  rejectionCode,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { startDnsServer, type TestDnsServer } from './helpers/dns-server.js'

const test = suite('refs: folders and hyper://domain')

let testnet: LoopbackTestnet
let dns: TestDnsServer
test.before(async () => {
  testnet = await createTestnet(3)
  dns = await startDnsServer()
})
test.after(async () => {
  await dns.close()
  await testnet.destroy()
})

async function sdkOn(t: Teardown): Promise<SDK> {
  return t.add(
    await createSDK({
      storage: false,
      bootstrap: testnet.bootstrap,
      dns: { servers: [dns.address], timeout: 1000 },
    }),
  )
}

test('a folder ref makes a drive, writes <folder>/.dat and keeps the folder in sync', async () => {
  const t = teardown()
  try {
    // The folder is removed after the SDK closes (teardown runs newest first): removing a folder
    // under a live sync that is still starting crashes localwatch (reported to the lead).
    const folder = t.tmpDir('folder')
    const sdk = await sdkOn(t)
    fs.writeFileSync(path.join(folder, 'a.txt'), 'first')
    const drive = sdk.Hyperdrive(folder)
    assert.is(sdk.Hyperdrive(folder), drive, 'same folder, same drive')
    await drive.ready()
    await drive.folderSync!.ready()
    assert.ok(drive.writable)
    assert.is(fs.readFileSync(path.join(folder, '.dat'), 'utf-8').trim(), drive.url)
    assert.is(b4a.toString((await drive.get('/a.txt'))!), 'first')
    fs.writeFileSync(path.join(folder, 'b.txt'), 'second')
    await eventually(async () => await drive.exists('/b.txt'), { timeout: 20_000 })
    await drive.close()

    const reopened = sdk.Hyperdrive(folder)
    await reopened.ready()
    await reopened.folderSync!.ready()
    assert.is.not(reopened, drive)
    assert.ok(b4a.equals(reopened.key!, drive.key!), 'the .dat reopens the same drive')
  } finally {
    await t.run()
  }
})

test('a folder whose .dat names a remote drive is mirrored from it', async () => {
  const t = teardown()
  try {
    const folder = t.tmpDir('mirror')
    const a = await sdkOn(t)
    const b = await sdkOn(t)
    const source = a.Hyperdrive()
    await source.put('/remote.txt', 'from afar')
    await a.flush(source)
    fs.writeFileSync(path.join(folder, '.dat'), source.url + '\n')
    const mirror = b.Hyperdrive(folder)
    await mirror.ready()
    assert.not.ok(mirror.writable)
    const file = path.join(folder, 'remote.txt')
    await eventually(() => fs.existsSync(file) && fs.readFileSync(file, 'utf-8') === 'from afar', {
      timeout: 20_000,
    })
  } finally {
    await t.run()
  }
})

test('resolveName and hyper://domain refs go through DNS; the core gets the key URL', async () => {
  const t = teardown()
  try {
    const a = await sdkOn(t)
    const b = await sdkOn(t)
    const core = a.Hypercore<string>('site', { valueEncoding: 'utf-8' })
    await core.append('served by name')
    await a.flush(core)
    dns.records.set('_dnslink.core.example', [{ text: `dnslink=/hyper/${toZ32(core.key!)}` }])
    assert.ok(b4a.equals(await b.resolveName('hyper://core.example/any/path'), core.key!))

    const byName = b.Hypercore<string>('hyper://core.example', { valueEncoding: 'utf-8' })
    assert.is(b.Hypercore('dat://core.example/x'), byName, 'the same domain, the same instance')
    await byName.ready()
    assert.is(byName.url, core.url, 'opened by domain, it has the key URL')
    assert.is(await byName.get(0), 'served by name')
    assert.is(b.Hypercore(core.key), byName, 'and its key finds it')

    const drive = a.Hyperdrive()
    await drive.put('/page.html', 'hello')
    await a.flush(drive)
    dns.records.set('drive.example', [{ text: `datkey=${toHex(drive.key!)}` }])
    const remote = b.Hyperdrive('dat://drive.example')
    await remote.ready()
    assert.ok(b4a.equals(remote.key!, drive.key!))
    assert.is(b4a.toString((await remote.get('/page.html'))!), 'hello')
  } finally {
    await t.run()
  }
})

test('a core opened by hyper://domain goes through Store.get: in store.cores(), and fires core', async () => {
  const t = teardown()
  try {
    const a = await sdkOn(t)
    const b = await sdkOn(t)
    const core = a.Hypercore('by-domain')
    await core.append(b4a.from('x'))
    await a.flush(core)
    dns.records.set('_dnslink.store.example', [{ text: `dnslink=/hyper/${toHex(core.key!)}` }])
    const seen: Uint8Array[] = []
    b.store.on('core', (c) => seen.push(c.key!))
    const remote = b.Hypercore('hyper://store.example')
    await remote.ready()
    assert.ok(
      seen.some((k) => b4a.equals(k, core.key!)),
      "the store's 'core' fired for it",
    )
    assert.ok(
      b.store.cores().some((c) => b4a.equals(c.key!, core.key!)),
      'store.cores() lists it',
    )
    await remote.close()
    await eventually(() => !b.store.cores().some((c) => b4a.equals(c.key!, core.key!)), {
      message: 'closing the core to take it out of store.cores()',
    })
  } finally {
    await t.run()
  }
})

test('a drive opened by hyper://domain goes through Store.get: in store.cores(), fires core, reads', async () => {
  const t = teardown()
  try {
    const a = await sdkOn(t)
    const b = await sdkOn(t)
    const source = a.Hyperdrive()
    await source.put('/hello.txt', 'by name')
    await a.flush(source)
    dns.records.set('_dnslink.drive.example', [{ text: `dnslink=/hyper/${toHex(source.key!)}` }])
    const seen: Uint8Array[] = []
    b.store.on('core', (c) => seen.push(c.key!))
    const remote = b.Hyperdrive('hyper://drive.example')
    assert.is(b.Hyperdrive('hyper://drive.example'), remote, 'same domain, same drive')
    await remote.ready()
    assert.ok(b4a.equals(remote.key!, source.key!), 'the drive opened on the key DNS gave')
    assert.ok(
      seen.some((k) => b4a.equals(k, source.key!)),
      "the store's 'core' fired for its db core",
    )
    assert.ok(
      b.store.cores().some((c) => b4a.equals(c.key!, source.key!)),
      'store.cores() lists its db core',
    )
    assert.is(
      b4a.toString((await remote.get('/hello.txt', { wait: true, timeout: 20_000 }))!),
      'by name',
    )
    await remote.close()
    await eventually(() => !b.store.cores().some((c) => b4a.equals(c.key!, source.key!)), {
      message: 'closing the drive to take its db core out of store.cores()',
    })
  } finally {
    await t.run()
  }
})

test('a domain with no record: resolveName and ready() are NAME_NOT_FOUND', async () => {
  const t = teardown()
  try {
    const sdk = await sdkOn(t)
    assert.is(await rejectionCode(sdk.resolveName('hyper://nowhere.example')), 'NAME_NOT_FOUND')
    assert.is(
      await rejectionCode(sdk.Hypercore('hyper://nowhere.example').ready()),
      'NAME_NOT_FOUND',
    )
    assert.is(
      await rejectionCode(sdk.Hyperdrive('hyper://nowhere.example').ready()),
      'NAME_NOT_FOUND',
    )
    // A failed ref is not cached: once the record exists, the same ref opens.
    const core = sdk.Hypercore()
    await core.ready()
    dns.records.set('_dnslink.nowhere.example', [{ text: `dnslink=/hyper/${toHex(core.key!)}` }])
    const later = sdk.Hypercore('hyper://nowhere.example')
    await later.ready()
    assert.ok(b4a.equals(later.key!, core.key!))
  } finally {
    await t.run()
  }
})

test.run()
