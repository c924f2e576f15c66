// Bad bytes from a peer, or a handler that throws, never crash the process: they reach onerror
// and 'extension-error' as BAD_MESSAGE (with the peer), and replication carries on.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c, { type State } from 'compact-encoding'
import type { AbstractEncoding, DatSdkError, Encoding } from '@dat-sdk/store'
import { teardown, eventually } from '@dat-sdk/test-utils'
import { READY_EXTENSION, type Peer } from '@dat-sdk/core-wrapper'
import { corePair, connectPair, collector, type CorePair } from './helpers.js'
import type { Teardown } from '@dat-sdk/test-utils'

const test = suite('malformed payloads')

const pair2 = {
  preencode(state: State, p: [number, string]) {
    c.uint.preencode(state, p[0])
    c.string.preencode(state, p[1])
  },
  encode(state: State, p: [number, string]) {
    c.uint.encode(state, p[0])
    c.string.encode(state, p[1])
  },
  decode(state: State): [number, string] {
    return [c.uint.decode(state), c.string.decode(state)]
  },
}

const strict: AbstractEncoding<{ n: number }> = {
  encode: (m) => b4a.from([m.n]),
  decode: (buf) => {
    if (buf.byteLength !== 1) throw new RangeError('one byte expected')
    return { n: buf[0] }
  },
  encodingLength: () => 1,
}

/** A connected pair where B listens on `name` with `encoding` and A can send raw bytes on it. */
async function setup(t: Teardown, name: string, encoding: Encoding<unknown>) {
  const pair = await corePair(t, { blocks: ['zero'] })
  const messages = collector<[unknown, Peer]>()
  const onerror = collector<[DatSdkError, Peer]>()
  const events = collector<[DatSdkError, Peer | undefined]>()
  pair.b.on('extension-error', events.fn)
  const ext = pair.b.registerExtension<unknown>(name, {
    encoding,
    onmessage: messages.fn,
    onerror: onerror.fn,
  })
  const raw = pair.a.registerExtension(name) // binary: sends the bytes as they are
  connectPair(t, pair)
  await eventually(() => pair.a.peers().length === 1 && pair.b.peers().length === 1)
  return { pair, ext, raw, messages, onerror, events }
}

/** The connection still replicates: a new block reaches the reader. */
async function stillReplicates(pair: CorePair, label: string): Promise<void> {
  const index = pair.a.length
  await pair.a.append(b4a.from(label))
  assert.is(b4a.toString((await pair.b.get(index, { timeout: 10_000 }))!), label)
}

const bad: Array<{ label: string; encoding: Encoding<unknown>; bytes: Uint8Array; good: unknown }> =
  [
    { label: 'invalid JSON', encoding: 'json', bytes: b4a.from('{"keys": [1,'), good: { ok: 1 } },
    {
      label: 'a truncated compact-encoding message',
      encoding: pair2,
      bytes: c.encode(pair2, [300, 'hello']).subarray(0, 4),
      good: [1, 'x'],
    },
    {
      label: 'invalid UTF-8 for utf-8',
      encoding: 'utf-8',
      bytes: b4a.from([0xc3, 0x28, 0xff]),
      good: 'fine',
    },
    {
      label: 'a wrong length for an abstract-encoding',
      encoding: strict,
      bytes: b4a.from([1, 2, 3]),
      good: { n: 4 },
    },
  ]

for (const { label, encoding, bytes, good } of bad) {
  test(`${label}: BAD_MESSAGE to onerror and extension-error, then replication goes on`, async () => {
    const t = teardown()
    try {
      const { pair, raw, messages, onerror, events } = await setup(t, 'e', encoding)
      raw.broadcast(bytes)
      await eventually(() => onerror.calls.length === 1 && events.calls.length === 1)
      const [err, peer] = onerror.calls[0]
      assert.is(err.code, 'BAD_MESSAGE')
      assert.is(peer, pair.b.peers()[0], 'the error names the peer')
      assert.is(events.calls[0][0], err)
      assert.is(events.calls[0][1], peer)
      assert.is(messages.calls.length, 0)

      await stillReplicates(pair, 'after bad bytes')
      const sender = pair.a.registerExtension<unknown>('e2', { encoding })
      const got = collector<[unknown, Peer]>()
      pair.b.registerExtension<unknown>('e2', { encoding, onmessage: got.fn })
      sender.broadcast(good)
      await eventually(() => got.calls.length === 1)
      assert.equal(got.calls[0][0], good)
    } finally {
      await t.run()
    }
  })
}

test('an onmessage that throws (or rejects) is BAD_MESSAGE; the next message still arrives', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero'] })
    const errors = collector<[DatSdkError, Peer | undefined]>()
    pair.b.on('extension-error', errors.fn)
    const seen: unknown[] = []
    pair.b.registerExtension<unknown>('j', {
      encoding: 'json',
      onmessage(m) {
        seen.push(m)
        if (m === 'throw') throw new TypeError('handler bug')
        if (m === 'reject') return Promise.reject(new Error('async handler bug'))
      },
    })
    const sender = pair.a.registerExtension<unknown>('j', { encoding: 'json' })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    sender.broadcast('throw')
    sender.broadcast('reject')
    sender.broadcast('fine')
    await eventually(() => seen.length === 3 && errors.calls.length === 2)
    assert.equal(seen, ['throw', 'reject', 'fine'])
    assert.ok(
      errors.calls.every(([err, peer]) => err.code === 'BAD_MESSAGE' && peer === pair.b.peers()[0]),
    )
    assert.instance((errors.calls[0][0] as Error).cause, TypeError)
    await stillReplicates(pair, 'after a throwing handler')
  } finally {
    await t.run()
  }
})

test('with no onerror and no listener a bad message is dropped quietly', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero'] })
    pair.b.registerExtension<unknown>('j', { encoding: 'json' })
    pair.b.registerExtension<unknown>('k', {
      encoding: 'json',
      onmessage() {
        throw new Error('boom')
      },
    })
    const sender = pair.a.registerExtension('j')
    const other = pair.a.registerExtension<unknown>('k', { encoding: 'json' })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    sender.broadcast(b4a.from('not json'))
    other.broadcast({ fine: true })
    await stillReplicates(pair, 'nobody listened')
  } finally {
    await t.run()
  }
})

test('a malformed ready handshake is BAD_MESSAGE and changes nothing', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero'] })
    const errors = collector<[DatSdkError, Peer | undefined]>()
    pair.b.on('extension-error', errors.fn)
    const got = collector<[string, Peer]>()
    pair.b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: got.fn })
    const hi = pair.a.registerExtension<string>('hi', { encoding: 'utf-8' })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    const peerOfA = pair.a.peers()[0].hypercorePeer
    peerOfA.extension(READY_EXTENSION, b4a.from([0x00, 0xff, 0xff]))
    peerOfA.extension(READY_EXTENSION, b4a.from([]))
    await eventually(() => errors.calls.length === 2)
    assert.ok(errors.calls.every(([err]) => err.code === 'BAD_MESSAGE'))
    hi.broadcast('still fine')
    await eventually(() => got.calls.length === 1)
    await stillReplicates(pair, 'after a bad handshake')
  } finally {
    await t.run()
  }
})

test.run()
