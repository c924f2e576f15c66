// Property tests of the gateway's request parsing (issues 14 and 20): Host headers, paths (with `..`, `.`, `%2e`, `%2f`,
// NUL and backslash, encoded or not), `?version=`, `Range`, and whole requests with random
// methods and headers through hyperFetch on a real drive. Nothing escapes its drive, nothing
// throws, and every refusal is one of the documented 4xx answers.
// Each property prints its seed; replay a failure with
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/gateway/test/fuzz.test.ts
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { createSDK, toHex, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, fuzzParams, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { HttpError } from '../src/errors.js'
import { labelOf, parseHost, type HostRules } from '../src/host.js'
import { parseTarget, type Target } from '../src/paths.js'
import { parseRange } from '../src/range.js'
import { hyperFetch } from '../src/index.js'

const test = suite('fuzz: gateway request parsing')

const ORIGIN = 'http://gateway.test'
const KEY = 'a'.repeat(64)

const PORT = 8080
const RULES: HostRules = {
  port: PORT,
  names: new Set(['127.0.0.1', '[::1]']),
  extra: ['gateway.example'],
  subdomains: true,
  anyAddress: false,
}
const Z32 = 'ybndrfg8ejkmcpqxot1uwisza345h769'

test('Host: a path-form name, localhost, a drive key or domain, or 400 / 421; never a throw', () => {
  const z32Key = fc
    .array(fc.constantFrom(...Z32), { minLength: 52, maxLength: 52 })
    .map((c) => c.join(''))
  const dnsLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
  const domain = fc.array(dnsLabel, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'))
  const name = fc.oneof(
    fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'gateway.example', 'evil.example', '[', ''),
    z32Key.map((k) => `${k}.localhost`),
    domain.map((d) => `${labelOf(d) ?? d}.localhost`),
    fc.stringMatching(/^[a-z0-9.-]{0,70}$/).map((l) => `${l}.localhost`),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  )
  const port = fc.oneof(
    { arbitrary: fc.constant(`:${PORT}`), weight: 6 },
    fc.constantFrom('', ':', ':80', ':08080', `:${PORT}0`, ':x'),
    fc.nat(99999).map((n) => `:${n}`),
  )
  const host = fc.oneof(
    fc.tuple(name, port, fc.constantFrom('', ' ', '\t')).map(([n, p, w]) => w + n + p + w),
    fc.string({ maxLength: 80 }),
  )
  let drives = 0
  fc.assert(
    fc.property(host, (h) => {
      let target
      try {
        target = parseHost(h, RULES)
      } catch (err) {
        assert.instance(err, HttpError, `${JSON.stringify(h)} threw ${String(err)}`)
        const e = err as HttpError // narrowed by the assertion above
        assert.ok(
          (e.status === 400 && ['BAD_REQUEST', 'INVALID_KEY'].includes(e.code)) ||
            (e.status === 421 && e.code === 'MISDIRECTED'),
          `${JSON.stringify(h)}: ${e.status} ${e.code}`,
        )
        return
      }
      const lower = h.trim().toLowerCase()
      if (target.kind === 'drive') {
        drives++
        assert.ok(lower.endsWith(`.localhost:${PORT}`), JSON.stringify(h))
        if (target.key !== undefined) {
          assert.ok(new RegExp(`^[${Z32}]{52}$`).test(target.key))
          assert.is(lower, `${target.key}.localhost:${PORT}`)
        } else {
          // A domain goes back to the very label it was read from.
          assert.ok(/^[a-z0-9.-]+$/.test(target.domain) && target.domain.includes('.'))
          assert.is(`${labelOf(target.domain)}.localhost:${PORT}`, lower)
        }
      } else if (target.kind === 'localhost') {
        assert.ok(lower === `localhost:${PORT}`, JSON.stringify(h))
      } else {
        assert.ok(
          ['127.0.0.1', '[::1]'].some((n) => lower === `${n}:${PORT}`) ||
            lower.startsWith('gateway.example'),
          JSON.stringify(h),
        )
      }
    }),
    fuzzParams('gateway Host'),
  )
  assert.ok(drives > 500, `${drives} hosts named a drive`)
})

test('Host: the label of a domain reads back as the domain, of a key as its z-base-32', () => {
  const dnsLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/)
  const domain = fc.array(dnsLabel, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'))
  fc.assert(
    fc.property(domain, fc.uint8Array({ minLength: 32, maxLength: 32 }), (d, key) => {
      const label = labelOf(d)
      if (label === null) return // longer than one DNS label: served on the path form only
      assert.equal(parseHost(`${label}.localhost:${PORT}`, RULES), { kind: 'drive', domain: d })
      assert.equal(parseHost(`${labelOf(toHex(key))}.localhost:${PORT}`, RULES), {
        kind: 'drive',
        key: toZ32(key),
      })
    }),
    fuzzParams('gateway Host labels', 2000),
  )
})

// Path pieces that matter: dots, slashes and backslashes, plain and %-encoded (once and twice),
// NUL, bad escapes, and ordinary names.
const piece = fc.oneof(
  fc.constantFrom(
    '.',
    '..',
    '%2e',
    '%2E%2e',
    '%2e%2e',
    '%252e%252e',
    '%2f',
    '%2F',
    '%5c',
    '\\',
    '%00',
    '%',
    '%zz',
    '%c3%28',
    '',
    '~',
    '?',
    '#',
    ';',
  ),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/),
  fc.string({ unit: 'binary', maxLength: 6 }),
)
const rawPath = fc.array(piece, { maxLength: 8 }).map((p) => p.join('/'))
const versionParam = fc.option(
  fc.oneof(
    fc.nat().map(String),
    fc.constantFrom('', '-1', '1.5', '1e3', '0x10', '9'.repeat(16), ' 1', '１'),
    fc.string({ maxLength: 6 }),
  ),
  { nil: undefined },
)

/** Where a path must land: each segment decoded once, `.` dropped, `..` stopping at the root. */
function resolveModel(segments: string[]): string {
  const out: string[] = []
  for (const s of segments) {
    if (s === '' || s === '.') continue
    if (s === '..') out.pop()
    else out.push(s)
  }
  return '/' + out.join('/')
}

function checkTarget(t: Target): void {
  assert.ok(t.path.startsWith('/'), 'the path starts with /')
  if (t.path !== '/') {
    for (const seg of t.path.slice(1).split('/')) {
      assert.ok(seg !== '' && seg !== '.' && seg !== '..', `segment ${JSON.stringify(seg)}`)
      assert.not.ok(/[\0\\]/.test(seg), 'no NUL or backslash')
    }
  }
  assert.ok(t.drive !== '' && !/[/\\\0]/.test(t.drive), 'a drive name without separators')
  assert.ok(t.version === null || (Number.isSafeInteger(t.version) && t.version >= 0))
}

test('paths and versions: a target inside its drive, or 400 INVALID_PATH / INVALID_VERSION', () => {
  // What each case came to: a case that is not a URL, or not a gateway path (null), checks
  // nothing, so they are counted and most cases must reach a target or a refusal.
  const seen = { unparsable: 0, notGateway: 0, refused: 0, target: 0 }
  const params = fuzzParams('gateway paths')
  fc.assert(
    fc.property(
      // Mostly the gateway's own forms; the others (a null target) now and then.
      fc.oneof(
        { arbitrary: fc.constant('/hyper/'), weight: 6 },
        { arbitrary: fc.constantFrom('hyper://', 'dat://'), weight: 3 },
        { arbitrary: fc.constantFrom('/other/', '/'), weight: 1 },
      ),
      fc.oneof(fc.constant(KEY), fc.stringMatching(/^[a-z0-9.%]{0,10}$/)),
      rawPath,
      versionParam,
      (prefix, drive, path, version) => {
        const query = version === undefined ? '' : `?version=${encodeURIComponent(version)}`
        const text = prefix.startsWith('/')
          ? `${ORIGIN}${prefix}${drive}/${path}`
          : `${prefix}${drive}/${path}`
        let url: URL
        try {
          url = new URL(text + query)
        } catch {
          seen.unparsable++ // not a URL at all: no request can carry it
          return
        }
        let t: Target | null
        try {
          t = parseTarget(url)
        } catch (err) {
          assert.ok(err instanceof HttpError, `threw ${String(err)}`)
          assert.is(err.status, 400)
          assert.ok(err.code === 'INVALID_PATH' || err.code === 'INVALID_VERSION', err.code)
          seen.refused++
          return
        }
        if (t === null) {
          seen.notGateway++
          return
        }
        checkTarget(t)
        seen.target++
      },
    ),
    params,
  )
  if (params.path) return // replaying one counterexample: no share to judge
  const total = seen.unparsable + seen.notGateway + seen.refused + seen.target
  console.log(`gateway paths: ${JSON.stringify(seen)} of ${total}`)
  assert.ok(
    seen.refused + seen.target >= total * 0.75,
    `three cases in four must reach parseTarget's checks: ${JSON.stringify(seen)}`,
  )
  assert.ok(seen.target >= total / 5, `one case in five must be a target: ${JSON.stringify(seen)}`)
})

test('paths: names, encoded or not, with . and .. resolve as the model says; versions round-trip', () => {
  const name = fc.oneof(
    fc.constantFrom('.', '..', ''),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((s) => !/[/\\\0]/.test(s)),
  )
  fc.assert(
    fc.property(
      fc.array(name, { maxLength: 8 }),
      fc.option(fc.maxSafeNat(), { nil: null }),
      (segments, version) => {
        // One URL segment, its names joined by an encoded `/`: the URL parser resolves plain and
        // %2e dot segments itself (even out of /hyper/<key>), so `..` inside a segment is what
        // reaches the gateway, which must keep it inside the drive.
        const path = ['base', ...segments].map((s) => encodeURIComponent(s)).join('%2F')
        const query = version === null ? '' : `?version=${version}`
        const url = new URL(`${ORIGIN}/hyper/${KEY}/${path}${query}`)
        if (version !== null && version > 999_999_999_999_999) {
          // Over 15 digits is past any drive's version: refused rather than read imprecisely.
          assert.throws(
            () => parseTarget(url),
            (err: unknown) => {
              return err instanceof HttpError && err.code === 'INVALID_VERSION'
            },
          )
          return
        }
        const t = parseTarget(url)
        assert.ok(t)
        assert.is(t.drive, KEY)
        assert.is(t.path, resolveModel(['base', ...segments]))
        checkTarget(t)
        assert.is(t.version, version)
      },
    ),
    fuzzParams('gateway paths: model'),
  )
})

/** RFC 9110 single byte ranges, read independently: what a file of `size` bytes should answer. */
function rangeModel(first: string, last: string, size: number) {
  if (first === '' && last === '') return null
  if (first === '') {
    const n = Number(last)
    if (!Number.isSafeInteger(n)) return size === 0 ? 'unsatisfiable' : { start: 0, end: size - 1 }
    if (n === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? Infinity : Number(last)
  if (!Number.isSafeInteger(start) || (last !== '' && !Number.isSafeInteger(end))) return null
  if (end < start) return null
  if (start >= size) return 'unsatisfiable'
  return { start, end: Math.min(end, size - 1) }
}

test('Range: never throws; a range inside the file, unsatisfiable, or the whole file', () => {
  const digits = fc.oneof(
    fc.constant(''),
    fc.nat({ max: 3000 }).map(String),
    fc.stringMatching(/^\d{1,20}$/),
  )
  const header = fc.oneof(
    fc
      .tuple(digits, digits, fc.constantFrom('bytes=', 'BYTES =', ' bytes= '))
      .map(([a, b, unit]) => ({ text: `${unit}${a}-${b}`, parts: [a, b] as const })),
    fc.string({ maxLength: 30 }).map((text) => ({ text, parts: null })),
    fc
      .constantFrom('bytes=0-1,2-3', 'items=0-1', 'bytes=-', 'bytes=1-0', 'bytes=--1')
      .map((text) => ({ text, parts: null })),
  )
  fc.assert(
    fc.property(header, fc.nat({ max: 2000 }), ({ text, parts }, size) => {
      const r = parseRange(text, size)
      if (r !== null && r !== 'unsatisfiable') {
        assert.ok(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end))
        assert.ok(0 <= r.start && r.start <= r.end && r.end < size, JSON.stringify(r))
      }
      if (parts) assert.equal(r, rangeModel(parts[0], parts[1], size))
    }),
    fuzzParams('gateway Range'),
  )
})

// --- whole requests through hyperFetch ----------------------------------------------------------

let testnet: LoopbackTestnet
let sdk: SDK
let drive: SDKDrive

test.before(async () => {
  testnet = await createTestnet(3)
  sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  drive = sdk.Hyperdrive()
  await drive.ready()
  await drive.put('/index.html', '<h1>home</h1>')
  await drive.put('/a.txt', 'a'.repeat(1000))
  await drive.put('/dir/b.json', '{"b":1}')
  await drive.put('/empty.txt', '')
})
test.after(async () => {
  await sdk.close()
  await testnet.destroy()
})

const DOCUMENTED = new Map<number, string[]>([
  [400, ['INVALID_KEY', 'INVALID_PATH', 'INVALID_VERSION', 'BAD_REQUEST']],
  [401, ['UNAUTHORIZED']],
  [403, ['FORBIDDEN']],
  [404, ['NOT_FOUND', 'NAME_NOT_FOUND']],
  [405, ['METHOD_NOT_ALLOWED']],
  [416, ['RANGE_NOT_SATISFIABLE']],
])
const TOKEN = 'sekret'

test('whole requests: random methods, paths and headers get a documented answer, never a 5xx', async () => {
  const driveName = fc.oneof(
    fc.constant(toZ32(drive.key!)),
    fc.constant(toHex(drive.key!)),
    fc.stringMatching(/^[a-z0-9]{1,12}$/), // neither a key nor a domain
  )
  const filePath = fc.oneof(
    fc.constantFrom('', '/', '/index.html', '/a.txt', '/dir/', '/dir', '/dir/b.json', '/empty.txt'),
    rawPath.map((p) => '/' + p),
  )
  const headers = fc.record(
    {
      range: fc.oneof(
        fc.constantFrom('bytes=0-9', 'bytes=-5', 'bytes=500-', 'bytes=5000-', 'bytes=9-0'),
        fc.string({ maxLength: 20 }),
      ),
      'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"x"', '"a", "b"'), fc.string()),
      'if-range': fc.string({ maxLength: 10 }),
      accept: fc.constantFrom('text/html', 'application/json', '*/*', 'text/event-stream;q=0'),
      authorization: fc.oneof(
        fc.constantFrom(`Bearer ${TOKEN}`, `bearer   ${TOKEN} `, 'Bearer', 'Basic eA=='),
        fc.string({ maxLength: 20 }).map((s) => `Bearer ${s}`),
      ),
    },
    { requiredKeys: [] },
  )
  const request = fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'POST'),
    drive: driveName,
    path: filePath,
    version: versionParam,
    headers,
  })
  let answered = 0
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const query = r.version === undefined ? '' : `?version=${encodeURIComponent(r.version)}`
      let req: Request
      try {
        const init: RequestInit = { method: r.method }
        if (r.method === 'PUT') init.body = 'x'
        // Header values must be ISO-8859-1 without CR/LF/NUL; a browser could send nothing else.
        const h = new Headers()
        for (const [k, v] of Object.entries(r.headers)) {
          if (/^[\t\x20-\x7e\x80-\xff]*$/.test(v)) h.set(k, v)
        }
        init.headers = h
        req = new Request(`${ORIGIN}/hyper/${r.drive}${r.path}${query}`, init)
      } catch {
        return // not a request fetch() could make
      }
      const res = await hyperFetch(sdk, req, { writable: true, token: TOKEN, timeout: 5000 })
      answered++
      assert.ok(res.status < 500, `${r.method} ${req.url}: ${res.status}`)
      if (res.status >= 400) {
        const body = (await res.json()) as { code?: string; message?: string }
        assert.type(body.message, 'string')
        assert.ok(
          DOCUMENTED.get(res.status)?.includes(body.code ?? ''),
          `${res.status} ${body.code} for ${r.method} ${req.url}`,
        )
      } else {
        await res.body?.cancel()
        assert.ok([200, 201, 204, 206, 301, 304].includes(res.status), String(res.status))
      }
    }),
    fuzzParams('gateway whole requests', 300),
  )
  assert.ok(answered > 200, `${answered} requests answered`)
})

test.run()
