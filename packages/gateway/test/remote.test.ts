import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import { createSDK, toZ32, type SDK } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { errorCode, fetchPath } from './helpers/fetch.js'
import { startNxdomainServer } from './helpers/dns.js'

const test = suite('hyperFetch: drives of other peers, names and timeouts')

let testnet: LoopbackTestnet
let dns: Awaited<ReturnType<typeof startNxdomainServer>>
let writer: SDK
let reader: SDK

test.before(async () => {
  testnet = await createTestnet(3)
  dns = await startNxdomainServer()
  writer = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  reader = await createSDK({
    storage: false,
    bootstrap: testnet.bootstrap,
    dns: { servers: [dns.address], timeout: 2000 },
  })
})
test.after(async () => {
  await reader.close()
  await writer.close()
  await dns.close()
  await testnet.destroy()
})

test('X-Blocks and X-Blocks-Downloaded say how much of a file is here, before and after', async () => {
  // 64 KiB blocks (a Drive writes 1 MiB ones by default), so that the file has many.
  const drive = writer.Hyperdrive(null, { blockSize: 64 * 1024 })
  await drive.put('/big.bin', crypto.randomBytes(1024 * 1024)) // 16 blocks of 64 KiB
  await drive.put('/small.txt', 'small')
  await writer.flush(drive)
  const base = `/hyper/${toZ32(drive.key!)}`

  const head = await fetchPath(reader, `${base}/big.bin`, { method: 'HEAD' })
  assert.is(head.status, 200)
  assert.is(head.headers.get('x-blocks'), '16')
  assert.is(head.headers.get('x-blocks-downloaded'), '0')
  assert.match(head.headers.get('access-control-expose-headers') ?? '', /X-Blocks-Downloaded/)
  const get = await fetchPath(reader, `${base}/small.txt`)
  assert.is(get.headers.get('x-blocks'), '1')
  assert.is(get.headers.get('x-blocks-downloaded'), '0', 'counted before the body is read')
  assert.is(await get.text(), 'small')

  await reader.Hyperdrive(drive.key).download('/big.bin').done()
  const after = await fetchPath(reader, `${base}/big.bin`, { method: 'HEAD' })
  assert.is(after.headers.get('x-blocks'), '16')
  assert.is(after.headers.get('x-blocks-downloaded'), '16')
  const again = await fetchPath(reader, `${base}/small.txt`)
  assert.is(again.headers.get('x-blocks-downloaded'), '1', 'the GET before fetched it')
  await again.arrayBuffer()
  const folder = await fetchPath(reader, `${base}/`, { headers: { accept: 'application/json' } })
  assert.is(folder.headers.get('x-blocks'), null, 'a folder has none')
  await folder.arrayBuffer()
})

test('the first read of a drive on another peer waits for it, then streams its files', async () => {
  const drive = writer.Hyperdrive()
  const video = crypto.randomBytes(1024 * 1024)
  await drive.put('/index.html', '<p>remote</p>')
  await drive.put('/clip.webm', video)
  await writer.flush(drive)
  const base = `/hyper/${toZ32(drive.key!)}`
  const page = await fetchPath(reader, `${base}/`)
  assert.is(page.status, 200)
  assert.is(await page.text(), '<p>remote</p>')
  const part = await fetchPath(reader, `${base}/clip.webm`, { headers: { range: 'bytes=500000-' } })
  assert.is(part.status, 206)
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(video.subarray(500000)))
  await drive.put('/later.txt', 'later')
  // The replica follows: the new file is served once its version arrived (no polling by us).
  const copy = reader.Hyperdrive(drive.key)
  await new Promise<void>((resolve) => {
    const check = () => copy.version >= drive.version && resolve()
    copy.on('append', check)
    check()
  })
  const later = await fetchPath(reader, `${base}/later.txt`)
  assert.is(await later.text(), 'later')
})

test('504 PEER_TIMEOUT when no peer has the drive within opts.timeout', async () => {
  const key = crypto.randomBytes(32)
  const started = Date.now()
  const res = await fetchPath(reader, `/hyper/${toZ32(key)}/index.html`, {}, { timeout: 1500 })
  assert.is(res.status, 504)
  assert.is(await errorCode(res), 'PEER_TIMEOUT')
  assert.ok(Date.now() - started < 10_000)
})

test('404 NAME_NOT_FOUND for a domain that DNS does not resolve', async () => {
  const res = await fetchPath(reader, '/hyper/nothing.example/index.html')
  assert.is(res.status, 404)
  assert.is(await errorCode(res), 'NAME_NOT_FOUND')
})

test.run()
