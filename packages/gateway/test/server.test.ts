import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import http from 'node:http'
import { createSDK, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createGateway, Gateway } from '../src/index.js'
import { EventReader } from './helpers/sse.js'

const test = suite('createGateway: hyperFetch on a node:http server')

let testnet: LoopbackTestnet
let sdk: SDK
let drive: SDKDrive
let base: string

test.before(async () => {
  testnet = await createTestnet(3)
  sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  drive = sdk.Hyperdrive()
  await drive.put('/index.html', '<h1>served</h1>')
  await drive.put('/big.bin', crypto.randomBytes(3 * 1024 * 1024))
  base = `hyper/${toZ32(drive.key!)}`
})
test.after(async () => {
  await sdk.close()
  await testnet.destroy()
})

/** A raw HTTP request (the path sent as written, no URL clean-up on our side). */
function raw(
  url: string,
  path: string,
  opts: http.RequestOptions = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const req = http.request({ hostname, port, path, agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

test('listens on 127.0.0.1 by default and serves files, HEAD and ranges over HTTP', async () => {
  const gateway = await createGateway(sdk)
  try {
    assert.match(gateway.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.is(gateway.token, null)
    const page = await fetch(new URL(`${base}/`, gateway.url))
    assert.is(page.status, 200)
    assert.is(await page.text(), '<h1>served</h1>')
    const head = await raw(gateway.url, `/${base}/big.bin`, { method: 'HEAD' })
    assert.is(head.status, 200)
    assert.is(head.headers['content-length'], String(3 * 1024 * 1024))
    assert.is(head.body.length, 0)
    const part = await fetch(new URL(`${base}/big.bin`, gateway.url), {
      headers: { range: 'bytes=-5' },
    })
    assert.is(part.status, 206)
    assert.is((await part.arrayBuffer()).byteLength, 5)
    const whole = await fetch(new URL(`${base}/big.bin`, gateway.url))
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals((await drive.get('/big.bin'))!))
  } finally {
    await gateway.close()
  }
})

test('raw request paths with .. or %2e%2e never reach outside a drive', async () => {
  const gateway = await createGateway(sdk)
  try {
    for (const path of [
      `/${base}/../../../etc/passwd`,
      `/${base}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
      `/${base}/..%2f..%2f..%2fetc%2fpasswd`,
      '/../../etc/passwd',
    ]) {
      const res = await raw(gateway.url, path)
      assert.is(res.status, 404, path)
      assert.is(JSON.parse(res.body.toString()).code, 'NOT_FOUND', path)
    }
    const trace = await raw(gateway.url, `/${base}/`, { method: 'TRACE' })
    assert.is(trace.status, 405)
  } finally {
    await gateway.close()
  }
})

test('writable: a random token is made, PUT streams over HTTP, and the token is needed', async () => {
  const gateway = await createGateway(sdk, { writable: true })
  try {
    assert.match(gateway.token ?? '', /^[\w-]{40,}$/)
    const url = new URL(`${base}/posted.txt`, gateway.url)
    const denied = await fetch(url, { method: 'PUT', body: 'x' })
    assert.is(denied.status, 401)
    await denied.arrayBuffer()
    const ok = await fetch(url, {
      method: 'PUT',
      body: 'over http',
      headers: { authorization: `Bearer ${gateway.token}` },
    })
    assert.is(ok.status, 201)
    await ok.arrayBuffer()
    assert.is(Buffer.from((await drive.get('/posted.txt'))!).toString(), 'over http')
  } finally {
    await gateway.close()
  }
  const given = await createGateway(sdk, { writable: true, token: 'mine' })
  assert.is(given.token, 'mine')
  await given.close()
})

test('close() ends open live streams and keep-alive connections at once; the SDK stays open', async () => {
  const gateway = await createGateway(sdk)
  const res = await fetch(new URL(`${base}/`, gateway.url), {
    headers: { accept: 'text/event-stream' },
  })
  assert.is(res.status, 200)
  const events = new EventReader(res.body!)
  await drive.put('/tick.txt', 'tick')
  assert.equal(await events.next(), { version: drive.version, path: '/tick.txt' })
  const started = Date.now()
  await gateway.close()
  assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`)
  assert.is(await events.next().catch(() => null), null, 'the stream ended')
  assert.ok(gateway.closed)
  assert.ok(drive.opened && !drive.closing, 'the drive (and the SDK) are not ours to close')
  await drive.put('/after.txt', 'still open')
})

/** GETs `path` over node:http and hands back the response once its first bytes arrived. */
function firstBytes(url: string, path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    http
      .get({ hostname, port, path, agent: false }, (res) => {
        res.once('readable', () => resolve(res))
        res.once('error', reject)
      })
      .on('error', reject)
  })
}

test('a file is piped over HTTP: ranges of a version, a client that leaves half-way, a stalled one at close()', async () => {
  const whole = (await drive.get('/big.bin'))!
  const version = drive.version
  const gateway = await createGateway(sdk)
  try {
    const part = await raw(gateway.url, `/${base}/big.bin?version=${version}`, {
      headers: { range: 'bytes=70000-2100000' },
    })
    assert.is(part.status, 206)
    assert.is(part.headers['content-range'], `bytes 70000-2100000/${whole.length}`)
    assert.ok(part.body.equals(whole.subarray(70000, 2100001)))

    // A client that goes after the first bytes: the gateway carries on serving the same file.
    const left = await firstBytes(gateway.url, `/${base}/big.bin?version=${version}`)
    const gone = new Promise((resolve) => left.once('close', resolve))
    left.destroy()
    await gone
    const again = await raw(gateway.url, `/${base}/big.bin`)
    assert.is(again.status, 200)
    assert.ok(again.body.equals(whole))

    // A client that stops reading holds the file back; close() still ends it at once. (Larger
    // than what loopback socket buffers of a paused reader can take.)
    const huge = 32 * 1024 * 1024
    await drive.put('/huge.bin', Buffer.alloc(huge, 1))
    const stalled = await firstBytes(gateway.url, `/${base}/huge.bin`)
    stalled.pause()
    let received = 0
    const ended = new Promise<boolean>((resolve) => {
      stalled.on('data', (c: Buffer) => (received += c.length))
      stalled.once('end', () => resolve(true))
      stalled.once('close', () => resolve(stalled.complete))
    })
    const started = Date.now()
    await gateway.close()
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`)
    stalled.resume()
    assert.is(await ended, false, 'the stalled response ended unfinished')
    assert.ok(received < huge, `received ${received} of ${huge}`)
  } finally {
    await gateway.close()
  }
})

test('a port in use rejects createGateway; a bad sdk is a TypeError', async () => {
  const first = await createGateway(sdk)
  try {
    const port = Number(new URL(first.url).port)
    let code: unknown = null
    await createGateway(sdk, { port }).catch((err: { code?: unknown }) => (code = err.code))
    assert.is(code, 'EADDRINUSE')
  } finally {
    await first.close()
  }
  assert.throws(() => new Gateway({} as unknown as SDK), TypeError) // wrong type on purpose: runtime TypeError
})

test.run()
