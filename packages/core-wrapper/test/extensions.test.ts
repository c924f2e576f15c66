import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c, { type State } from 'compact-encoding'
import type { AbstractEncoding, Encoding } from '@dat-sdk/store'
import { teardown, eventually } from '@dat-sdk/test-utils'
import type { Peer } from '@dat-sdk/core-wrapper'
import { corePair, connectPair, connectSwarm, collector } from './helpers.js'

const test = suite('extensions')

interface Point {
  x: number
  label: string
}

const pointCodec = {
  preencode(state: State, p: Point) {
    c.uint.preencode(state, p.x)
    c.string.preencode(state, p.label)
  },
  encode(state: State, p: Point) {
    c.uint.encode(state, p.x)
    c.string.encode(state, p.label)
  },
  decode(state: State): Point {
    return { x: c.uint.decode(state), label: c.string.decode(state) }
  },
}

// The protocol-buffers family's shape: one byte of x, then the label.
const pointAbstract: AbstractEncoding<Point> = {
  encode: (p) => b4a.concat([b4a.from([p.x]), b4a.from(p.label)]),
  decode: (buf) => {
    if (buf.byteLength < 1) throw new RangeError('empty')
    return { x: buf[0], label: b4a.toString(buf.subarray(1)) }
  },
  encodingLength: (p) => 1 + b4a.byteLength(p.label),
}

const cases: Array<{
  label: string
  encoding: Encoding<unknown> | undefined
  ab: unknown
  ba: unknown
}> = [
  { label: 'binary (default)', encoding: undefined, ab: b4a.from([1, 2, 3]), ba: b4a.from([9]) },
  { label: 'utf-8', encoding: 'utf-8', ab: 'hé from a', ba: 'hé from b' },
  { label: 'json', encoding: 'json', ab: { n: 1, list: ['a'] }, ba: [null, true, 2.5] },
  {
    label: 'a compact-encoding codec',
    encoding: pointCodec,
    ab: { x: 300, label: 'a' },
    ba: { x: 7, label: 'b' },
  },
  {
    label: 'an abstract-encoding codec',
    encoding: pointAbstract,
    ab: { x: 5, label: 'a' },
    ba: { x: 6, label: 'b' },
  },
]

for (const { label, encoding, ab, ba } of cases) {
  test(`${label}: messages travel both ways, send() and broadcast()`, async () => {
    const t = teardown()
    try {
      const pair = await corePair(t, { blocks: ['x'] })
      const gotA = collector<[unknown, Peer]>()
      const gotB = collector<[unknown, Peer]>()
      const extA = pair.a.registerExtension<unknown>('test', { encoding, onmessage: gotA.fn })
      const extB = pair.b.registerExtension<unknown>('test', { encoding, onmessage: gotB.fn })
      assert.is(extA.name, 'test')
      connectPair(t, pair)
      await eventually(() => pair.a.peers().length === 1 && pair.b.peers().length === 1)

      extA.send(ab, pair.a.peers()[0])
      extB.broadcast(ba)
      await eventually(() => gotA.calls.length === 1 && gotB.calls.length === 1)
      assert.equal(gotB.calls[0][0], ab)
      assert.equal(gotA.calls[0][0], ba)
      assert.is(gotB.calls[0][1], pair.b.peers()[0], 'the handler gets our Peer object')
      assert.is(gotA.calls[0][1].id, pair.a.peers()[0].id)
    } finally {
      await t.run()
    }
  })
}

test('opts.extensions: extension(), peer.extension() and the extension event', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { a: { extensions: ['chat'] }, b: { extensions: ['chat'] } })
    const gotA = collector<[string, Uint8Array, Peer]>()
    const gotB = collector<[string, Uint8Array, Peer]>()
    pair.a.on('extension', gotA.fn)
    pair.b.on('extension', gotB.fn)
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1 && pair.b.peers().length === 1)

    pair.a.extension('chat', 'hello world')
    await eventually(() => gotB.calls.length === 1)
    const [name, message, peer] = gotB.calls[0]
    assert.is(name, 'chat')
    assert.is(b4a.toString(message), 'hello world')
    peer.extension('chat', b4a.from('reply'))
    await eventually(() => gotA.calls.length === 1)
    assert.is(gotA.calls[0][0], 'chat')
    assert.is(b4a.toString(gotA.calls[0][1]), 'reply')

    assert.throws(
      () => pair.a.extension('nope', 'x'),
      (err: Error) => err instanceof TypeError,
    )
  } finally {
    await t.run()
  }
})

test('two registrations of one name both receive; destroy() stops one', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t)
    const one = collector<[string, Peer]>()
    const two = collector<[string, Peer]>()
    const extOne = pair.b.registerExtension<string>('e', { encoding: 'utf-8', onmessage: one.fn })
    pair.b.registerExtension<string>('e', { encoding: 'utf-8', onmessage: two.fn })
    const sender = pair.a.registerExtension<string>('e', { encoding: 'utf-8' })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    sender.broadcast('first')
    await eventually(() => one.calls.length === 1 && two.calls.length === 1)
    extOne.destroy()
    sender.broadcast('second')
    await eventually(() => two.calls.length === 2)
    assert.is(one.calls.length, 1)
    assert.throws(
      () => extOne.broadcast('x'),
      (err: Error & { code?: string }) => err.code === 'CLOSED',
    )
  } finally {
    await t.run()
  }
})

test('send() to a peer that is not connected is UNKNOWN_PEER; a bad message is a TypeError at once', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t)
    const ext = pair.a.registerExtension<string>('e', { encoding: 'utf-8' })
    const json = pair.a.registerExtension<unknown>('j', { encoding: 'json' })
    const codec = pair.a.registerExtension<Point>('p', { encoding: pointCodec })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    const peer = pair.a.peers()[0]

    assert.throws(
      () => ext.send(42 as unknown as string, peer), // wrong type on purpose: runtime TypeError
      (err: Error) => err instanceof TypeError,
    )
    assert.throws(
      () => ext.broadcast({} as unknown as string), // wrong type on purpose: runtime TypeError
      (err: Error) => err instanceof TypeError,
    )
    assert.throws(
      () => json.send(undefined, peer),
      (err: Error) => err instanceof TypeError,
    )
    assert.throws(
      () => codec.send({ x: -1, label: 3 } as unknown as Point, peer), // wrong type on purpose: runtime TypeError
      (err: Error) => err instanceof TypeError,
    )
    assert.throws(
      () => pair.a.registerExtension('x', { encoding: 'nope' as unknown as Encoding }), // wrong type on purpose: runtime TypeError
      (err: Error) => err instanceof TypeError,
    )

    await pair.storeB.close()
    await eventually(() => pair.a.peers().length === 0)
    assert.throws(
      () => ext.send('late', peer),
      (err: Error & { code?: string }) => err.code === 'UNKNOWN_PEER',
    )
    assert.throws(
      () => peer.extension('e', 'late'),
      (err: Error & { code?: string }) => err.code === 'UNKNOWN_PEER',
    )
    assert.throws(
      () => ext.send('x', { id: 'nobody' } as unknown as Peer), // deliberately not a Peer: checks UNKNOWN_PEER
      (err: Error & { code?: string }) => err.code === 'UNKNOWN_PEER',
    )
  } finally {
    await t.run()
  }
})

test('extensions both ways over Hyperswarm on a loopback testnet', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['x'] })
    const gotA = collector<[unknown, Peer]>()
    const gotB = collector<[unknown, Peer]>()
    const extA = pair.a.registerExtension<unknown>('j', { encoding: 'json', onmessage: gotA.fn })
    const extB = pair.b.registerExtension<unknown>('j', { encoding: 'json', onmessage: gotB.fn })
    pair.b.on('peer-add', (peer) => extB.send({ hi: 'from b' }, peer))
    pair.a.on('peer-add', (peer) => extA.send({ hi: 'from a' }, peer))
    await connectSwarm(t, pair)
    await eventually(() => gotA.calls.length === 1 && gotB.calls.length === 1, { timeout: 20_000 })
    assert.equal(gotA.calls[0][0], { hi: 'from b' })
    assert.equal(gotB.calls[0][0], { hi: 'from a' })
    assert.match(gotB.calls[0][1].remoteAddress ?? '', /^127\.0\.0\.1:/)
  } finally {
    await t.run()
  }
})

test.run()
