// The seeder's control socket decodes untrusted bytes: every bad request gets an error reply, the
// seeder keeps running and keeps answering good requests. Tested on a real `dat-sdk seed`.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import net from 'node:net'
import path from 'node:path'
import { fuzzParams, remoteBytes, teardown, type Teardown } from '@dat-sdk/test-utils'
import {
  controlSocketPath,
  decodeRequest,
  LineSplitter,
  MAX_LINE,
  type ControlReply,
} from '../src/seed-control.js'
import { Running } from './helpers/cli.js'

const test = suite('dat-sdk seed: the control socket')

const utf8 = (s: string) => new TextEncoder().encode(s)

/** A connection to the socket: send bytes, read reply lines. */
class Client {
  readonly socket: net.Socket
  private _buf = ''
  private _closed = false
  constructor(socketPath: string) {
    this.socket = net.connect(socketPath)
    this.socket.on('data', (d) => (this._buf += d))
    this.socket.on('close', () => (this._closed = true))
    this.socket.on('error', () => {})
  }

  send(bytes: Uint8Array | string): void {
    this.socket.write(bytes)
  }

  /** The next `n` reply lines, parsed. */
  async replies(n: number, timeout = 10_000): Promise<ControlReply[]> {
    const deadline = Date.now() + timeout
    for (;;) {
      const lines = this._buf.split('\n')
      if (lines.length - 1 >= n) {
        this._buf = lines.slice(n).join('\n')
        return lines.slice(0, n).map((l) => JSON.parse(l) as ControlReply)
      }
      if (this._closed) throw new Error(`the socket closed after: ${this._buf}`)
      if (Date.now() > deadline)
        throw new Error(`no ${n} replies within ${timeout} ms: ${this._buf}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** What arrived and was not taken as replies yet. */
  get pending(): string {
    return this._buf
  }

  close(): void {
    this.socket.destroy()
  }
}

/** A `dat-sdk seed` with nothing to seed and no DHT to reach: only its socket matters here. */
async function seeder(t: Teardown): Promise<{ cmd: Running; socketPath: string }> {
  const storage = t.tmpDir('seed-control')
  // A bootstrap node nobody runs: the seeder starts anyway (its DHT just finds no one).
  const cmd = t.add(new Running(['seed', '--storage', storage, '--bootstrap', '127.0.0.1:9']))
  await cmd.waitFor(/^Seeding 0 parts /m, 'stderr')
  return { cmd, socketPath: controlSocketPath(storage) }
}

function codeOf(reply: ControlReply): string | null {
  return reply.ok ? null : reply.code
}

test('decodeRequest takes exactly list and remove, and answers everything else with a code', () => {
  assert.equal(decodeRequest(utf8('{"op":"list"}')), { op: 'list' })
  assert.equal(decodeRequest(utf8('{"op":"remove","ref":"hyper://x/"}')), {
    op: 'remove',
    ref: 'hyper://x/',
  })
  const bad = [
    '',
    'garbage',
    '[]',
    'null',
    '"list"',
    '{"op":"LIST"}',
    '{"op":"list","extra":1}',
    '{"op":"remove"}',
    '{"op":"remove","ref":""}',
    '{"op":"remove","ref":42}',
    '{"op":"remove","ref":"x","more":true}',
    '{"op":"__proto__"}',
    '{"__proto__":{"op":"list"}}',
    `{"op":"remove","ref":"${'a'.repeat(2000)}"}`,
  ]
  for (const line of bad) {
    try {
      decodeRequest(utf8(line))
      assert.unreachable(`accepted ${line.slice(0, 60)}`)
    } catch (err) {
      assert.is((err as { code?: string }).code, 'BAD_MESSAGE', line.slice(0, 60))
    }
  }
  try {
    decodeRequest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))
    assert.unreachable('accepted invalid UTF-8')
  } catch (err) {
    assert.is((err as { code?: string }).code, 'BAD_MESSAGE')
  }
  try {
    decodeRequest(new Uint8Array(MAX_LINE + 1).fill(0x20))
    assert.unreachable('accepted a line over the bound')
  } catch (err) {
    assert.is((err as { code?: string }).code, 'MESSAGE_TOO_LARGE')
  }
})

test('a running seeder answers garbage, huge lines and wrong ops with errors, and keeps serving', async () => {
  const t = teardown()
  try {
    const { cmd, socketPath } = await seeder(t)
    const c = new Client(socketPath)
    t.add(() => c.close())
    c.send('garbage\n')
    c.send('{"op":"explode"}\n')
    c.send('{"op":"remove","ref":"not a key"}\n')
    c.send(Buffer.from([0xff, 0xfe, 0x00, 0x0a]))
    // A line of 1 MiB in small pieces: one MESSAGE_TOO_LARGE, its bytes dropped, not buffered.
    for (let i = 0; i < 256; i++) c.send('x'.repeat(4096))
    c.send('\n')
    c.send('{"op":"list"}\r\n')
    const replies = await c.replies(6)
    assert.equal(replies.map(codeOf), [
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'INVALID_KEY',
      'BAD_MESSAGE',
      'MESSAGE_TOO_LARGE',
      null,
    ])
    assert.equal(replies[5], { ok: true, seeds: [] })
    // The seeder is still running, and a new connection is served too.
    assert.is(cmd.child.exitCode, null)
    const d = new Client(socketPath)
    t.add(() => d.close())
    d.send('{"op":"list"}\n')
    assert.equal(await d.replies(1), [{ ok: true, seeds: [] }])
  } finally {
    await t.run()
  }
})

test('fuzz: the request decoder throws only its codes, for any bytes', () => {
  fc.assert(
    fc.property(
      remoteBytes(
        fc.constantFrom(utf8('{"op":"list"}'), utf8('{"op":"remove","ref":"hyper://abc/"}')),
      ),
      (bytes) => {
        try {
          const req = decodeRequest(bytes)
          assert.ok(req.op === 'list' || (req.op === 'remove' && typeof req.ref === 'string'))
        } catch (err) {
          assert.ok(
            (err as { code?: string }).code === 'BAD_MESSAGE' ||
              (err as { code?: string }).code === 'MESSAGE_TOO_LARGE',
            String(err),
          )
        }
      },
    ),
    fuzzParams('seed control decodeRequest'),
  )
})

test('fuzz: lines split the same however the bytes are chunked', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant('\n'), fc.string({ maxLength: 40 })), { maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 10 }),
      (pieces, cuts) => {
        const bytes = Buffer.from(pieces.join(''))
        const whole = new LineSplitter(64).push(bytes)
        const split = new LineSplitter(64)
        const points = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort(
          (a, b) => a - b,
        )
        const out: typeof whole = []
        let at = 0
        for (const p of [...points, bytes.byteLength]) {
          out.push(...split.push(bytes.subarray(at, p)))
          at = p
        }
        assert.equal(out, whole)
        for (const item of whole) if ('line' in item) assert.ok(item.line.byteLength <= 64)
      },
    ),
    fuzzParams('seed control LineSplitter'),
  )
})

test('fuzz: random bytes on the running seeder’s socket never stop it answering', async () => {
  const t = teardown()
  try {
    const { cmd, socketPath } = await seeder(t)
    const params = fuzzParams('seed control socket', 300)
    const samples = fc.sample(
      remoteBytes(
        fc.constantFrom(utf8('{"op":"list"}\n'), utf8('{"op":"remove","ref":"hyper://abc/"}\n')),
      ),
      { seed: params.seed, numRuns: params.numRuns },
    )
    const c = new Client(socketPath)
    t.add(() => c.close())
    for (const bytes of samples) c.send(bytes)
    // Whatever came before, a fresh line with a good request gets a good answer.
    c.send('\n{"op":"list"}\n')
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 20_000
      const check = () => {
        if (/\{"ok":true,"seeds":\[\]\}\n$/.test(c.pending)) resolve()
        else if (Date.now() > deadline) reject(new Error('no answer to the last list'))
        else setTimeout(check, 50)
      }
      check()
    })
    assert.is(cmd.child.exitCode, null, cmd.stderr)
    assert.not.match(cmd.stderr, /dat-sdk: /, 'nothing was reported as a failure')
  } finally {
    await t.run()
  }
})

test('the socket lives in the storage folder, or in the temporary folder when that path is too long', () => {
  assert.is(controlSocketPath('/tmp/s'), path.join('/tmp/s', 'seed.sock'))
  const long = controlSocketPath(`/tmp/${'x'.repeat(120)}`)
  assert.ok(Buffer.byteLength(long) <= 100, long)
  assert.match(long, /dat-sdk-seed-[0-9a-f]{32}\.sock$/)
})

test.run()
