import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import { createSDK, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { hyperFetch } from '../src/index.js'
import { errorCode, fetchPath } from './helpers/fetch.js'

const test = suite('hyperFetch: PUT and DELETE, with a token, on drives the SDK can write')

const TOKEN = 'the-secret-token'
const writable = { writable: true, token: TOKEN }
const auth = { authorization: `Bearer ${TOKEN}` }

let testnet: LoopbackTestnet
let sdk: SDK
let other: SDK
let drive: SDKDrive
let foreign: SDKDrive
let base: string

test.before(async () => {
  testnet = await createTestnet(3)
  sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  other = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  drive = sdk.Hyperdrive()
  await drive.put('/keep.txt', 'keep')
  base = `/hyper/${toZ32(drive.key!)}`
  // A drive of the other SDK, replicated here: readable, not writable.
  const theirs = other.Hyperdrive()
  await theirs.put('/theirs.txt', 'not yours')
  await other.flush(theirs)
  foreign = sdk.Hyperdrive(theirs.key)
  await foreign.ready()
})
test.after(async () => {
  await sdk.close()
  await other.close()
  await testnet.destroy()
})

test('PUT streams a file in (201), PUT again replaces it (200), GET reads it back', async () => {
  const data = crypto.randomBytes(300_000)
  const chunks = [data.subarray(0, 100_000), data.subarray(100_000)]
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift()
      if (next) controller.enqueue(next)
      else controller.close()
    },
  })
  const init: RequestInit & { duplex: 'half' } = {
    method: 'PUT',
    headers: auth,
    body,
    duplex: 'half',
  }
  const created = await fetchPath(sdk, `${base}/up/file.bin`, init, writable)
  assert.is(created.status, 201)
  assert.equal(await created.json(), { path: '/up/file.bin', version: drive.version })
  assert.ok(Buffer.from((await drive.get('/up/file.bin'))!).equals(data))
  const again = await fetchPath(
    sdk,
    `${base}/up/file.bin`,
    { method: 'PUT', headers: auth, body: 'short' },
    writable,
  )
  assert.is(again.status, 200)
  await again.arrayBuffer()
  const read = await fetchPath(sdk, `${base}/up/file.bin`)
  assert.is(await read.text(), 'short')
})

test('DELETE removes a file (200), then 404', async () => {
  await drive.put('/gone.txt', 'bye')
  const res = await fetchPath(
    sdk,
    `${base}/gone.txt`,
    { method: 'DELETE', headers: auth },
    writable,
  )
  assert.is(res.status, 200)
  assert.equal(await res.json(), { path: '/gone.txt', version: drive.version })
  assert.not.ok(await drive.exists('/gone.txt'))
  const again = await fetchPath(
    sdk,
    `${base}/gone.txt`,
    { method: 'DELETE', headers: auth },
    writable,
  )
  assert.is(again.status, 404)
  assert.is(await errorCode(again), 'NOT_FOUND')
})

test('a read-only gateway (the default): 405 with Allow, nothing written', async () => {
  for (const method of ['PUT', 'DELETE']) {
    const init = { method, headers: auth, ...(method === 'PUT' ? { body: 'x' } : {}) }
    const res = await fetchPath(sdk, `${base}/keep.txt`, init)
    assert.is(res.status, 405, method)
    assert.is(res.headers.get('allow'), 'GET, HEAD, OPTIONS')
    assert.is(await errorCode(res), 'METHOD_NOT_ALLOWED')
    assert.is(res.headers.get('access-control-allow-origin'), null, 'no CORS on writes')
  }
  assert.is(Buffer.from((await drive.get('/keep.txt'))!).toString(), 'keep')
})

test('no token, or a wrong one: 401 with WWW-Authenticate, nothing written', async () => {
  const tries: Array<Record<string, string>> = [
    {},
    { authorization: 'Bearer wrong-token' },
    { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Basic ${TOKEN}` },
    { authorization: TOKEN },
  ]
  for (const headers of tries) {
    const put = await fetchPath(
      sdk,
      `${base}/keep.txt`,
      { method: 'PUT', headers, body: 'x' },
      writable,
    )
    assert.is(put.status, 401, JSON.stringify(headers))
    assert.match(put.headers.get('www-authenticate') ?? '', /^Bearer/)
    assert.is(await errorCode(put), 'UNAUTHORIZED')
    const del = await fetchPath(sdk, `${base}/keep.txt`, { method: 'DELETE', headers }, writable)
    assert.is(del.status, 401)
    await del.arrayBuffer()
  }
  assert.is(Buffer.from((await drive.get('/keep.txt'))!).toString(), 'keep')
})

test('a drive this SDK cannot write: 403', async () => {
  const path = `/hyper/${toZ32(foreign.key!)}/theirs.txt`
  const res = await fetchPath(
    sdk,
    path,
    { method: 'PUT', headers: auth, body: 'mine now' },
    writable,
  )
  assert.is(res.status, 403)
  assert.is(await errorCode(res), 'FORBIDDEN')
  const del = await fetchPath(sdk, path, { method: 'DELETE', headers: auth }, writable)
  assert.is(del.status, 403)
  await del.arrayBuffer()
  assert.is(Buffer.from((await foreign.get('/theirs.txt'))!).toString(), 'not yours')
})

test('a write names a file of the latest version', async () => {
  const folder = await fetchPath(
    sdk,
    `${base}/dir/`,
    { method: 'PUT', headers: auth, body: 'x' },
    writable,
  )
  assert.is(folder.status, 400)
  assert.is(await errorCode(folder), 'INVALID_PATH')
  const version = await fetchPath(
    sdk,
    `${base}/a.txt?version=1`,
    { method: 'PUT', headers: auth, body: 'x' },
    writable,
  )
  assert.is(version.status, 400)
  assert.is(await errorCode(version), 'INVALID_VERSION')
  const escape = await fetchPath(
    sdk,
    `${base}/..%2F..%2Fescaped.txt`,
    { method: 'PUT', headers: auth, body: 'in' },
    writable,
  )
  assert.is(escape.status, 201)
  assert.equal(await escape.json(), { path: '/escaped.txt', version: drive.version })
})

test('writable without a token is a programming error', async () => {
  let threw: unknown = null
  try {
    await hyperFetch(sdk, new Request(`http://x${base}/a`), { writable: true })
  } catch (err) {
    threw = err
  }
  assert.instance(threw, TypeError)
})

test.run()
