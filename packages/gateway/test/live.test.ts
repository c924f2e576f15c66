import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createSDK, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { errorCode, fetchPath } from './helpers/fetch.js'
import { EventReader } from './helpers/sse.js'

const test = suite('hyperFetch: live changes as server-sent events')

let testnet: LoopbackTestnet
let writer: SDK
let reader: SDK
let drive: SDKDrive
let base: string

test.before(async () => {
  testnet = await createTestnet(3)
  writer = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  reader = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  drive = writer.Hyperdrive()
  await drive.put('/docs/a.txt', 'a')
  await drive.put('/b.txt', 'b')
  await writer.flush(drive)
  base = `/hyper/${toZ32(drive.key!)}`
})
test.after(async () => {
  await reader.close()
  await writer.close()
  await testnet.destroy()
})

const live = { headers: { accept: 'text/event-stream' } }

test('a change on the drive arrives as { version, path }, on the writer and on a replica', async () => {
  const abort = new AbortController()
  const here = await fetchPath(writer, `${base}/`, { ...live, signal: abort.signal })
  const there = await fetchPath(reader, `${base}/`, { ...live, signal: abort.signal })
  for (const res of [here, there]) {
    assert.is(res.status, 200)
    assert.is(res.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    assert.is(res.headers.get('access-control-allow-origin'), '*')
  }
  const a = new EventReader(here.body!)
  const b = new EventReader(there.body!)
  await drive.put('/new.txt', 'new')
  const want = { version: drive.version, path: '/new.txt' }
  assert.equal(await a.next(), want)
  assert.equal(await b.next(), want)
  await drive.del('/b.txt')
  assert.equal(await a.next(), { version: drive.version, path: '/b.txt' })
  abort.abort()
  assert.is(await a.next(), null, 'the stream ends when the client goes')
  assert.is(await b.next(), null)
})

test('a folder sees only its own changes', async () => {
  const res = await fetchPath(reader, `${base}/docs/`, live)
  const events = new EventReader(res.body!)
  await drive.put('/outside.txt', 'not for docs')
  await drive.put('/docs/inside.txt', 'for docs')
  assert.equal(await events.next(), { version: drive.version, path: '/docs/inside.txt' })
  await events.cancel() // the client goes: the watcher closes
})

test('live updates of a file, or of a version: 400', async () => {
  const file = await fetchPath(writer, `${base}/docs/a.txt`, live)
  assert.is(file.status, 400)
  assert.is(await errorCode(file), 'BAD_REQUEST')
  const version = await fetchPath(writer, `${base}/?version=1`, live)
  assert.is(version.status, 400)
  assert.is(await errorCode(version), 'INVALID_VERSION')
})

test.run()
