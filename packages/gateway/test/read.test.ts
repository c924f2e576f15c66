import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import { createSDK, toHex, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { errorCode, fetchPath } from './helpers/fetch.js'

const test = suite('hyperFetch: reading files, folders and versions of a drive')

let testnet: LoopbackTestnet
let sdk: SDK
let drive: SDKDrive
let base: string
const big = crypto.randomBytes(200_000) // several 64 KiB blocks, so ranges cross block edges

test.before(async () => {
  testnet = await createTestnet(3)
  sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  // 64 KiB blocks (a Drive writes 1 MiB ones by default), so that `big` spans several.
  drive = sdk.Hyperdrive(null, { blockSize: 64 * 1024 })
  await drive.ready()
  await drive.put('/index.html', '<h1>home</h1>')
  await drive.put('/style.css', 'h1 { color: red }')
  await drive.put('/data/big.bin', big)
  await drive.put('/data/notes.txt', 'version one')
  await drive.put('/data/sub/deep.json', '{"deep":true}')
  await drive.put('/empty.txt', '')
  await drive.put('/odd name & <tag>.txt', 'odd')
  base = `/hyper/${toZ32(drive.key!)}`
})
test.after(async () => {
  await sdk.close()
  await testnet.destroy()
})

const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer())

test('a file: 200, its bytes, type, length, ETag, Accept-Ranges and CORS', async () => {
  const res = await fetchPath(sdk, `${base}/style.css`)
  assert.is(res.status, 200)
  assert.is(await res.text(), 'h1 { color: red }')
  assert.is(res.headers.get('content-type'), 'text/css; charset=utf-8')
  assert.is(res.headers.get('content-length'), '17')
  assert.is(res.headers.get('accept-ranges'), 'bytes')
  assert.match(res.headers.get('etag') ?? '', /^"[\w-]+"$/)
  assert.is(res.headers.get('access-control-allow-origin'), '*')
})

test('the key in hex and in z-base-32 give the same file and ETag', async () => {
  const a = await fetchPath(sdk, `${base}/data/big.bin`)
  const b = await fetchPath(sdk, `/hyper/${toHex(drive.key!)}/data/big.bin`)
  assert.is(a.headers.get('etag'), b.headers.get('etag'))
  assert.ok((await bytes(a)).equals(big))
  assert.ok((await bytes(b)).equals(big))
})

test('a hyper:// URL works as a Request too', async () => {
  const { hyperFetch } = await import('../src/index.js')
  const res = await hyperFetch(sdk, new Request(`hyper://${toZ32(drive.key!)}/data/notes.txt`))
  assert.is(await res.text(), 'version one')
})

test('HEAD: the headers of GET and no body', async () => {
  const res = await fetchPath(sdk, `${base}/data/big.bin`, { method: 'HEAD' })
  assert.is(res.status, 200)
  assert.is(res.headers.get('content-length'), String(big.length))
  assert.is(res.headers.get('content-type'), 'application/octet-stream')
  assert.is(res.body, null)
  assert.is(res.headers.get('access-control-allow-origin'), '*')
})

test('an empty file: 200 with Content-Length 0', async () => {
  const res = await fetchPath(sdk, `${base}/empty.txt`)
  assert.is(res.status, 200)
  assert.is(res.headers.get('content-length'), '0')
  assert.is(await res.text(), '')
})

test('ranges: first byte, last byte, across blocks, suffix, open-ended, clamped end', async () => {
  const size = big.length
  const cases: Array<[string, number, number]> = [
    ['bytes=0-0', 0, 0],
    [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ['bytes=65530-131080', 65530, 131080],
    ['bytes=-10', size - 10, size - 1],
    [`bytes=-${size + 50}`, 0, size - 1],
    ['bytes=150000-', 150000, size - 1],
    [`bytes=100-${size + 1000}`, 100, size - 1],
  ]
  for (const [range, start, end] of cases) {
    const res = await fetchPath(sdk, `${base}/data/big.bin`, { headers: { range } })
    assert.is(res.status, 206, range)
    assert.is(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range)
    assert.is(res.headers.get('content-length'), String(end - start + 1), range)
    assert.ok((await bytes(res)).equals(big.subarray(start, end + 1)), range)
  }
})

test('ranges past the end: 416 with Content-Range bytes */size', async () => {
  for (const range of [
    `bytes=${big.length}-`,
    `bytes=${big.length + 5}-${big.length + 9}`,
    'bytes=-0',
  ]) {
    const res = await fetchPath(sdk, `${base}/data/big.bin`, { headers: { range } })
    assert.is(res.status, 416, range)
    assert.is(res.headers.get('content-range'), `bytes */${big.length}`)
    assert.is(await errorCode(res), 'RANGE_NOT_SATISFIABLE')
  }
  const empty = await fetchPath(sdk, `${base}/empty.txt`, { headers: { range: 'bytes=0-' } })
  assert.is(empty.status, 416)
  assert.is(empty.headers.get('content-range'), 'bytes */0')
})

test('multi-range, other units and malformed ranges: the whole file, 200 (documented)', async () => {
  for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-2', 'bytes=x-y']) {
    const res = await fetchPath(sdk, `${base}/data/big.bin`, { headers: { range } })
    assert.is(res.status, 200, range)
    assert.is(res.headers.get('content-range'), null)
    assert.is((await bytes(res)).length, big.length, range)
  }
})

test('If-Range: a range only when the ETag still matches', async () => {
  const etag = (await fetchPath(sdk, `${base}/data/big.bin`, { method: 'HEAD' })).headers.get(
    'etag',
  )!
  const same = await fetchPath(sdk, `${base}/data/big.bin`, {
    headers: { range: 'bytes=0-9', 'if-range': etag },
  })
  assert.is(same.status, 206)
  await same.arrayBuffer()
  const other = await fetchPath(sdk, `${base}/data/big.bin`, {
    headers: { range: 'bytes=0-9', 'if-range': '"something-else"' },
  })
  assert.is(other.status, 200)
  await other.arrayBuffer()
})

test('If-None-Match: 304 for the current ETag (also W/ and in a list), 200 once the file changed', async () => {
  await drive.put('/cached.txt', 'first')
  const first = await fetchPath(sdk, `${base}/cached.txt`)
  const etag = first.headers.get('etag')!
  await first.text()
  for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
    const res = await fetchPath(sdk, `${base}/cached.txt`, { headers: { 'if-none-match': header } })
    assert.is(res.status, 304, header)
    assert.is(res.headers.get('etag'), etag)
    assert.is(res.body, null)
  }
  await drive.put('/cached.txt', 'second')
  const changed = await fetchPath(sdk, `${base}/cached.txt`, { headers: { 'if-none-match': etag } })
  assert.is(changed.status, 200)
  assert.is.not(changed.headers.get('etag'), etag)
  assert.is(await changed.text(), 'second')
})

test('a folder with index.html gives it; a folder without a slash redirects to one', async () => {
  const root = await fetchPath(sdk, `${base}/`)
  assert.is(root.status, 200)
  assert.is(root.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.is(await root.text(), '<h1>home</h1>')
  const bare = await fetchPath(sdk, base, { redirect: 'manual' })
  assert.is(bare.status, 301)
  assert.is(bare.headers.get('location'), `${base}/`)
  const v = drive.version
  const folder = await fetchPath(sdk, `${base}/data?version=${v}`, { redirect: 'manual' })
  assert.is(folder.status, 301)
  assert.is(folder.headers.get('location'), `${base}/data/?version=${v}`)
})

test('a folder listing: JSON by default, HTML for Accept: text/html (escaped)', async () => {
  const json = await fetchPath(sdk, `${base}/data/`)
  assert.is(json.status, 200)
  assert.is(json.headers.get('content-type'), 'application/json; charset=utf-8')
  assert.equal(await json.json(), ['big.bin', 'notes.txt', 'sub/'])
  const html = await fetchPath(sdk, `${base}/data/`, { headers: { accept: 'text/html' } })
  const page = await html.text()
  assert.is(html.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.match(page, '<a href="../">')
  assert.match(page, '<a href="big.bin">big.bin</a>')
  assert.match(page, '<a href="sub/">sub/</a>')
  const root = sdk.Hyperdrive()
  await root.put('/odd name & <tag>.txt', 'x')
  const rootPage = await fetchPath(sdk, `/hyper/${toZ32(root.key!)}/`, {
    headers: { accept: 'text/html' },
  })
  const text = await rootPage.text()
  assert.match(text, 'odd name &amp; &lt;tag&gt;.txt')
  assert.not.match(text, '<tag>')
})

test('?version=N reads the drive as it was', async () => {
  const notes = sdk.Hyperdrive()
  await notes.put('/a.txt', 'one')
  const v1 = notes.version
  await notes.put('/a.txt', 'two')
  await notes.put('/b.txt', 'later')
  const at = (p: string) => fetchPath(sdk, `/hyper/${toZ32(notes.key!)}${p}`)
  const old = await at(`/a.txt?version=${v1}`)
  assert.is(await old.text(), 'one')
  assert.match(old.headers.get('cache-control') ?? '', 'immutable')
  assert.is(await (await at('/a.txt')).text(), 'two')
  const missing = await at(`/b.txt?version=${v1}`)
  assert.is(missing.status, 404)
  assert.is(await errorCode(missing), 'NOT_FOUND')
  assert.equal(await (await at(`/?version=${v1}`)).json(), ['a.txt'])
  const ahead = await at(`/a.txt?version=${notes.version + 10}`)
  assert.is(ahead.status, 404, 'a version the drive has not reached is not there')
  assert.is(await errorCode(ahead), 'NOT_FOUND')
  const bad = await at('/a.txt?version=-1')
  assert.is(bad.status, 400)
  assert.is(await errorCode(bad), 'INVALID_VERSION')
})

test('404s: no such file, no such folder, not a /hyper/ path', async () => {
  for (const p of [`${base}/nope.txt`, `${base}/nope/`, `${base}/style.css/`, '/', '/other/x']) {
    const res = await fetchPath(sdk, p)
    assert.is(res.status, 404, p)
    assert.is(await errorCode(res), 'NOT_FOUND', p)
    assert.is(res.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.is(res.headers.get('access-control-allow-origin'), '*', 'GET errors are readable too')
  }
})

test('400 INVALID_KEY for a drive that is neither a key nor a domain', async () => {
  for (const name of ['not-a-key', 'a'.repeat(63), `${toHex(drive.key!)}00`]) {
    const res = await fetchPath(sdk, `/hyper/${name}/x.txt`)
    assert.is(res.status, 400, name)
    assert.is(await errorCode(res), 'INVALID_KEY', name)
  }
})

test('a path never leaves its drive: .., %2e%2e, %2F, double encoding are clamped inside', async () => {
  // The URL parser resolves plain and %2e dot segments before hyperFetch sees them (off the
  // /hyper/ prefix: a 404); encoded slashes reach the drive path and are clamped at its root.
  const clamped = [
    `${base}/data/..%2F..%2F..%2Fstyle.css`,
    `${base}/..%2f..%2fstyle.css`,
    `${base}/data/%2e%2e%2F%2e%2e%2Fstyle.css`,
    `${base}/%2e%2e%2f%2e%2e%2f%2e%2e%2fstyle.css`,
  ]
  for (const p of clamped) {
    const res = await fetchPath(sdk, p)
    assert.is(res.status, 200, p)
    assert.is(await res.text(), 'h1 { color: red }', p)
  }
  const outside = await fetchPath(sdk, `${base}/../../../etc/passwd`)
  assert.is(outside.status, 404)
  assert.is(await errorCode(outside), 'NOT_FOUND')
  // Decoded once only: %252e%252e is the literal name "%2e%2e", which this drive does not have.
  const double = await fetchPath(sdk, `${base}/%252e%252e%252fstyle.css`)
  assert.is(double.status, 404)
  for (const p of [`${base}/data%5C..%5Cstyle.css`, `${base}/style.css%00.png`]) {
    const res = await fetchPath(sdk, p)
    assert.is(res.status, 400, p)
    assert.is(await errorCode(res), 'INVALID_PATH', p)
  }
  const badEscape = await fetchPath(sdk, `${base}/%E0%A4%A.txt`)
  assert.is(badEscape.status, 400)
  assert.is(await errorCode(badEscape), 'INVALID_PATH')
})

test('OPTIONS: the methods, and no CORS header; POST: 405', async () => {
  const options = await fetchPath(sdk, `${base}/style.css`, { method: 'OPTIONS' })
  assert.is(options.status, 204)
  assert.is(options.headers.get('allow'), 'GET, HEAD, OPTIONS')
  assert.is(options.headers.get('access-control-allow-origin'), null)
  const post = await fetchPath(sdk, `${base}/style.css`, { method: 'POST', body: 'x' })
  assert.is(post.status, 405)
  assert.is(await errorCode(post), 'METHOD_NOT_ALLOWED')
  assert.is(post.headers.get('access-control-allow-origin'), null)
})

test('Content-Type by extension, bytes for the unknown', async () => {
  const types = sdk.Hyperdrive()
  const files: Record<string, string> = {
    '/a.js': 'text/javascript; charset=utf-8',
    '/a.json': 'application/json; charset=utf-8',
    '/a.PNG': 'image/png',
    '/a.webm': 'video/webm',
    '/a.svg': 'image/svg+xml',
    '/noext': 'application/octet-stream',
    '/a.weird': 'application/octet-stream',
  }
  for (const p of Object.keys(files)) await types.put(p, 'x')
  for (const [p, type] of Object.entries(files)) {
    const res = await fetchPath(sdk, `/hyper/${toZ32(types.key!)}${p}`, { method: 'HEAD' })
    assert.is(res.headers.get('content-type'), type, p)
  }
})

test.run()
