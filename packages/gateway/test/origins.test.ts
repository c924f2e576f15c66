// One web origin per drive, over HTTP (issue 20): `<z32>.localhost` serves a drive, the path form
// on `localhost` redirects there, other `Host`s get 421 (DNS rebinding), scoped tokens write one
// drive below some paths until a time, and a write's `Origin` must be its drive's own. Node does
// not resolve `*.localhost`: each request goes to 127.0.0.1 with the `Host` header set by hand.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import http from 'node:http'
import { createSDK, toHex, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createGateway, type Gateway } from '../src/index.js'

const test = suite('gateway origins: subdomains, Host checks, scoped tokens')

let testnet: LoopbackTestnet
let sdk: SDK
let a: SDKDrive
let b: SDKDrive
let gateway: Gateway
let port: number

test.before(async () => {
  testnet = await createTestnet(3)
  sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  a = sdk.Hyperdrive()
  b = sdk.Hyperdrive()
  await a.put('/index.html', '<h1>a</h1>')
  await a.put('/docs/readme.txt', 'docs of a')
  await b.put('/index.html', '<h1>b</h1>')
  gateway = await createGateway(sdk, { writable: true, hosts: ['gateway.example:8443'] })
  port = Number(new URL(gateway.url).port)
})
test.after(async () => {
  await gateway.close()
  await sdk.close()
  await testnet.destroy()
})

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** A request to the gateway (on 127.0.0.1) with `Host: host` and the path as written. */
function request(
  host: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: { host, ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

const code = (res: Answer): unknown => (JSON.parse(res.body) as { code?: unknown }).code
const sub = (drive: SDKDrive) => `${toZ32(drive.key!)}.localhost:${port}`

test('a drive is served on its own subdomain; the path form on localhost redirects there', async () => {
  const page = await request(sub(a), '/')
  assert.is(page.status, 200)
  assert.is(page.body, '<h1>a</h1>')
  const file = await request(sub(a), '/docs/readme.txt')
  assert.is(file.body, 'docs of a')
  // `..` stays inside the drive on the subdomain form too.
  const climb = await request(sub(a), '/docs/../../../docs/%2e%2e/index.html')
  assert.is(climb.body, '<h1>a</h1>')
  // A folder without its slash redirects relative to the subdomain, not to /hyper/.
  const folder = await request(sub(a), '/docs?x=1')
  assert.is(folder.status, 301)
  assert.is(folder.headers.location, '/docs/?x=1')

  for (const spelling of [toZ32(a.key!), toHex(a.key!)]) {
    const moved = await request(`localhost:${port}`, `/hyper/${spelling}/docs/readme.txt?version=3`)
    assert.is(moved.status, 301)
    assert.is(moved.headers.location, `http://${sub(a)}/docs/readme.txt?version=3`)
    assert.is(moved.headers['access-control-allow-origin'], '*', 'a page of any origin follows it')
  }
  const bare = await request(`localhost:${port}`, `/hyper/${toZ32(a.key!)}`, { method: 'HEAD' })
  assert.is(bare.headers.location, `http://${sub(a)}/`)
  // 127.0.0.1 and [::1] keep the path form, for scripts and Node.
  for (const host of [`127.0.0.1:${port}`, `[::1]:${port}`, 'gateway.example:8443']) {
    const kept = await request(host, `/hyper/${toZ32(a.key!)}/docs/readme.txt`)
    assert.is(kept.status, 200, host)
    assert.is(kept.body, 'docs of a')
  }
})

test('DNS names as subdomains: dots as -, dashes as --; a label that is neither is 400', async () => {
  // The domain is not resolved here (no DNS on this machine): what matters is what was asked for.
  const moved = await request(`localhost:${port}`, '/hyper/my-site.example.com/x')
  assert.is(moved.headers.location, `http://my--site-example-com.localhost:${port}/x`)
  const bad = await request(`not-a-key-.localhost:${port}`, '/')
  assert.is(bad.status, 400)
  assert.is(code(bad), 'INVALID_KEY')
  const nodots = await request(`plainname.localhost:${port}`, '/')
  assert.is(nodots.status, 400)
})

test('any other Host gets 421 MISDIRECTED: DNS rebinding reaches nothing', async () => {
  for (const host of [
    'evil.example',
    `evil.example:${port}`,
    `localhost:${port + 1}`,
    `${toZ32(a.key!)}.localhost.evil.example:${port}`,
    `127.0.0.2:${port}`,
    'gateway.example:8444',
  ]) {
    const res = await request(host, `/hyper/${toZ32(a.key!)}/`)
    assert.is(res.status, 421, host)
    assert.is(code(res), 'MISDIRECTED', host)
    assert.type((JSON.parse(res.body) as { message?: unknown }).message, 'string')
    assert.is(res.headers['access-control-allow-origin'], undefined)
  }
  const put = await request('evil.example', `/hyper/${toZ32(a.key!)}/x.txt`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${gateway.token}` },
    body: 'rebound',
  })
  assert.is(put.status, 421)
  assert.is(await a.get('/x.txt'), null)
})

test('subdomains: false serves the path form on localhost and refuses *.localhost', async () => {
  const plain = await createGateway(sdk, { subdomains: false })
  try {
    const p = Number(new URL(plain.url).port)
    const get = (host: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ hostname: '127.0.0.1', port: p, path, headers: { host }, agent: false }, (res) => {
            res.resume()
            resolve(res.statusCode!)
          })
          .on('error', reject)
      })
    assert.is(await get(`localhost:${p}`, `/hyper/${toZ32(a.key!)}/`), 200)
    assert.is(await get(`${toZ32(a.key!)}.localhost:${p}`, '/'), 421)
  } finally {
    await plain.close()
  }
})

test('a scoped token writes its drive below its paths until it expires or is revoked', async () => {
  const token = gateway.createToken({ drive: a, paths: ['/docs/'], expires: Date.now() + 60_000 })
  const put = (host: string, path: string, t: string, headers: Record<string, string> = {}) =>
    request(host, path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t}`, ...headers },
      body: crypto.randomBytes(8).toString('hex'),
    })

  const ok = await put(sub(a), '/docs/new.txt', token)
  assert.is(ok.status, 201, ok.body)
  assert.ok(await a.get('/docs/new.txt'))
  const pathForm = await put(`127.0.0.1:${port}`, `/hyper/${toZ32(a.key!)}/docs/deep/x.txt`, token)
  assert.is(pathForm.status, 201, pathForm.body)

  const otherDrive = await put(sub(b), '/docs/new.txt', token)
  assert.is(otherDrive.status, 403)
  assert.is(code(otherDrive), 'FORBIDDEN')
  assert.is(await b.get('/docs/new.txt'), null)
  const otherPath = await put(sub(a), '/other', token)
  assert.is(otherPath.status, 403)
  assert.is(code(otherPath), 'FORBIDDEN')
  const sibling = await put(sub(a), '/docs-evil/x', token)
  assert.is(sibling.status, 403)
  assert.is(await a.get('/other'), null)

  // From a page: only drive A's own origin writes with it.
  const fromB = await put(sub(a), '/docs/from-b.txt', token, { origin: `http://${sub(b)}` })
  assert.is(fromB.status, 403)
  assert.is(code(fromB), 'FORBIDDEN')
  assert.is(await a.get('/docs/from-b.txt'), null)
  const fromGateway = await put(sub(a), '/docs/from-gw.txt', token, {
    origin: `http://localhost:${port}`,
  })
  assert.is(fromGateway.status, 403)
  const fromA = await put(sub(a), '/docs/from-a.txt', token, { origin: `http://${sub(a)}` })
  assert.is(fromA.status, 201, fromA.body)
  // The gateway-wide token does not get round the Origin check either.
  const wide = await put(sub(a), '/docs/wide.txt', gateway.token!, { origin: `http://${sub(b)}` })
  assert.is(wide.status, 403)

  const expired = gateway.createToken({ drive: toHex(a.key!), expires: Date.now() - 1 })
  const late = await put(sub(a), '/docs/late.txt', expired)
  assert.is(late.status, 403)
  assert.is(code(late), 'FORBIDDEN')
  assert.is(await a.get('/docs/late.txt'), null)

  assert.is(gateway.revokeToken(token), true)
  const revoked = await put(sub(a), '/docs/revoked.txt', token)
  assert.is(revoked.status, 401)
  assert.is(code(revoked), 'UNAUTHORIZED')
  assert.is(gateway.revokeToken(token), false)
})

test('createToken needs a writable gateway and a drive key', async () => {
  const readOnly = await createGateway(sdk)
  try {
    assert.throws(() => readOnly.createToken({ drive: a }), TypeError)
  } finally {
    await readOnly.close()
  }
  assert.throws(() => gateway.createToken({ drive: a, paths: ['docs'] }), TypeError)
  let err: unknown = null
  try {
    gateway.createToken({ drive: 'example.com' })
  } catch (e) {
    err = e
  }
  assert.is((err as { code?: unknown } | null)?.code, 'INVALID_KEY')
})

test('only versioned answers are immutable', async () => {
  const latest = await request(sub(a), '/docs/readme.txt')
  assert.is(latest.headers['cache-control'], 'no-cache')
  const versioned = await request(sub(a), `/docs/readme.txt?version=${a.version}`)
  assert.is(versioned.status, 200)
  assert.is(versioned.headers['cache-control'], 'public, max-age=31536000, immutable')
  const listing = await request(sub(a), `/docs/?version=${a.version}`)
  assert.not.match(String(listing.headers['cache-control']), 'immutable')
})

test('public drives are open to other origins; an encrypted drive is not (no CORS headers)', async () => {
  const open = await request(sub(a), '/docs/readme.txt')
  assert.is(open.headers['access-control-allow-origin'], '*')
  const secret = sdk.Hyperdrive(undefined, { encryptionKey: crypto.randomBytes(32) })
  await secret.put('/note.txt', 'for my origin only')
  const res = await request(sub(secret), '/note.txt')
  assert.is(res.status, 200)
  assert.is(res.body, 'for my origin only')
  assert.is(res.headers['access-control-allow-origin'], undefined)
  const missing = await request(sub(secret), '/none.txt')
  assert.is(missing.status, 404)
  assert.is(missing.headers['access-control-allow-origin'], undefined)
})

test.run()
