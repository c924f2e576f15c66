// Connection-level extensions: protomux channels on each connection, independent of any core.
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c, { type State } from 'compact-encoding'
import Protomux from 'protomux'
import {
  Store,
  isDatSdkError,
  type AbstractEncoding,
  type DatSdkError,
  type Encoding,
} from '@dat-sdk/store'
import {
  MemorySwarmNetwork,
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type MemorySocket,
  type Teardown,
} from '@dat-sdk/test-utils'
import { EXTENSION_PROTOCOL, Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('networker: connection-level extensions')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

type Make = (t: Teardown) => Networker

const onTestnet: Make = (t) =>
  t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))

function inMemory(t: Teardown, latency = 0): Make {
  const network = t.add(new MemorySwarmNetwork({ latency }))
  return (tt) => tt.add(new Networker(tt.add(Store.temp()), { swarm: network.swarm() }))
}

/** Connects two networkers on a fresh topic and waits until each sees the other. */
async function connect(a: Networker, b: Networker): Promise<void> {
  const topic = randomBytes(32)
  await a.configure(topic)
  await b.configure(topic)
  await eventually(() => peerOf(a, b) && peerOf(b, a), { timeout: 15_000 })
}

function peerOf(n: Networker, remote: Networker): NetworkPeer {
  const peer = n.peers.find((p) => b4a.equals(p.remotePublicKey, remote.publicKey))
  return peer!
}

interface Received<M> {
  message: M
  from: string
}

function collect<M>(list: Array<Received<M>>) {
  return (message: M, peer: NetworkPeer) =>
    void list.push({ message, from: b4a.toString(peer.remotePublicKey, 'hex') })
}

const hex = (n: Networker) => b4a.toString(n.publicKey, 'hex')

test('utf-8 and json messages arrive with the right sender (testnet)', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    const texts: Array<Received<string>> = []
    const objects: Array<Received<unknown>> = []
    const textA = a.registerExtension<string>('text', { encoding: 'utf-8' })
    const jsonA = a.registerExtension<unknown>('objects', { encoding: 'json' })
    b.registerExtension<string>('text', { encoding: 'utf-8', onmessage: collect(texts) })
    b.registerExtension<unknown>('objects', { encoding: 'json', onmessage: collect(objects) })
    await connect(a, b)

    textA.send('hello wörld', peerOf(a, b))
    jsonA.broadcast({ hello: ['world', 1, null] })
    await eventually(() => texts.length === 1 && objects.length === 1, { timeout: 15_000 })
    assert.equal(texts, [{ message: 'hello wörld', from: hex(a) }])
    assert.equal(objects, [{ message: { hello: ['world', 1, null] }, from: hex(a) }])
  } finally {
    await t.run()
  }
})

test('the same name registered twice: both registrations receive (testnet)', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    const first: Array<Received<string>> = []
    const second: Array<Received<string>> = []
    const sender = a.registerExtension<string>('twice', { encoding: 'utf-8' })
    b.registerExtension<string>('twice', { encoding: 'utf-8', onmessage: collect(first) })
    b.registerExtension<string>('twice', { encoding: 'utf-8', onmessage: collect(second) })
    await connect(a, b)
    sender.broadcast('to both')
    await eventually(() => first.length === 1 && second.length === 1, { timeout: 15_000 })
    assert.equal(first, [{ message: 'to both', from: hex(a) }])
    assert.equal(second, first)
  } finally {
    await t.run()
  }
})

test('a bidirectional request / response (testnet)', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    type Msg = { type: 'request' | 'response'; id: number; value: number }
    const answers: Msg[] = []
    const extA = a.registerExtension<Msg>('rpc', {
      encoding: 'json',
      onmessage: (msg) => void answers.push(msg),
    })
    const extB: ReturnType<typeof b.registerExtension<Msg>> = b.registerExtension<Msg>('rpc', {
      encoding: 'json',
      onmessage: (msg, peer) => {
        if (msg.type === 'request')
          extB.send({ type: 'response', id: msg.id, value: msg.value * 2 }, peer)
      },
    })
    await connect(a, b)
    for (let id = 0; id < 5; id++) extA.send({ type: 'request', id, value: id + 10 }, peerOf(a, b))
    await eventually(() => answers.length === 5, { timeout: 15_000 })
    assert.equal(
      answers.map((m) => [m.type, m.id, m.value]),
      [0, 1, 2, 3, 4].map((id) => ['response', id, (id + 10) * 2]),
    )
  } finally {
    await t.run()
  }
})

for (const [where, make] of [
  ['testnet', () => onTestnet],
  ['MemorySwarm with latency', (t: Teardown) => inMemory(t, 30)],
] as const) {
  test(`a message sent in a 'peer-add' handler arrives, both ways (${where})`, async () => {
    const t = teardown()
    try {
      const node = make(t)
      const a = node(t)
      const b = node(t)
      const atA: Array<Received<string>> = []
      const atB: Array<Received<string>> = []
      const extA = a.registerExtension<string>('hello', {
        encoding: 'utf-8',
        onmessage: collect(atA),
      })
      const extB = b.registerExtension<string>('hello', {
        encoding: 'utf-8',
        onmessage: collect(atB),
      })
      a.on('peer-add', (peer: NetworkPeer) => extA.send('hi from a', peer))
      b.on('peer-add', (peer: NetworkPeer) => extB.send('hi from b', peer))
      await connect(a, b)
      await eventually(() => atA.length === 1 && atB.length === 1, { timeout: 15_000 })
      assert.equal(atA, [{ message: 'hi from b', from: hex(b) }])
      assert.equal(atB, [{ message: 'hi from a', from: hex(a) }])
    } finally {
      await t.run()
    }
  })
}

test('registering applies to connections that already exist', async () => {
  const t = teardown()
  try {
    const node = inMemory(t, 10)
    const a = node(t)
    const b = node(t)
    await connect(a, b)
    const got: Array<Received<string>> = []
    b.registerExtension<string>('late', { encoding: 'utf-8', onmessage: collect(got) })
    const ext = a.registerExtension<string>('late', { encoding: 'utf-8' })
    ext.send('on an old connection', peerOf(a, b))
    await eventually(() => got.length === 1)
    assert.equal(got, [{ message: 'on an old connection', from: hex(a) }])
  } finally {
    await t.run()
  }
})

test('a name the remote registers after we did still reaches it, and nothing sent before is replayed', async () => {
  const t = teardown()
  try {
    const node = inMemory(t, 10)
    const a = node(t)
    const b = node(t)
    const ext = a.registerExtension<string>('later', { encoding: 'utf-8' })
    // The sentinel: a name both sides hold from the start, on the same connection.
    const marked: string[] = []
    const mark = a.registerExtension<string>('sentinel', { encoding: 'utf-8' })
    b.registerExtension<string>('sentinel', {
      encoding: 'utf-8',
      onmessage: (m) => void marked.push(m),
    })
    await connect(a, b)
    ext.send('before b registered', peerOf(a, b))
    // One connection delivers in order: once the mark sent after it is at b, so is the message,
    // which b, with no registration of the name, dropped.
    mark.send('sent after the first', peerOf(a, b))
    await eventually(() => marked.length === 1)
    const got: Array<Received<string>> = []
    b.registerExtension<string>('later', { encoding: 'utf-8', onmessage: collect(got) })
    ext.send('after b registered', peerOf(a, b))
    ext.send('the last', peerOf(a, b))
    // The last message closes the check: a replay the registration set off has come by then.
    await eventually(() => got.some((r) => r.message === 'the last'))
    assert.equal(got, [
      { message: 'after b registered', from: hex(a) },
      { message: 'the last', from: hex(a) },
    ])
  } finally {
    await t.run()
  }
})

test('every encoding form works: binary, utf-8, json, compact-encoding, abstract-encoding', async () => {
  const t = teardown()
  try {
    const node = inMemory(t)
    const a = node(t)
    const b = node(t)
    const point = {
      preencode(state: State, p: { x: number; label: string }) {
        c.uint.preencode(state, p.x)
        c.string.preencode(state, p.label)
      },
      encode(state: State, p: { x: number; label: string }) {
        c.uint.encode(state, p.x)
        c.string.encode(state, p.label)
      },
      decode(state: State) {
        return { x: c.uint.decode(state), label: c.string.decode(state) }
      },
    }
    const abstract: AbstractEncoding<number[]> = {
      encode: (list) => b4a.from(list),
      decode: (bytes) => [...bytes],
      encodingLength: (list) => list.length,
    }
    const got: Record<string, unknown[]> = {
      binary: [],
      utf8: [],
      json: [],
      codec: [],
      abstract: [],
    }
    const on = (key: string) => (m: unknown) => void got[key].push(m)
    b.registerExtension('e-binary', { onmessage: on('binary') })
    b.registerExtension('e-utf8', { encoding: 'utf-8', onmessage: on('utf8') })
    b.registerExtension('e-json', { encoding: 'json', onmessage: on('json') })
    b.registerExtension('e-codec', { encoding: point, onmessage: on('codec') })
    b.registerExtension('e-abstract', { encoding: abstract, onmessage: on('abstract') })
    await connect(a, b)

    a.registerExtension('e-binary').broadcast(b4a.from([1, 2, 3]))
    a.registerExtension<string>('e-utf8', { encoding: 'utf-8' }).broadcast('ü')
    a.registerExtension<unknown>('e-json', { encoding: 'json' }).broadcast({ n: 1 })
    a.registerExtension('e-codec', { encoding: point }).broadcast({ x: 300, label: 'p' })
    a.registerExtension('e-abstract', { encoding: abstract }).broadcast([9, 8, 7])
    await eventually(() => Object.values(got).every((list) => list.length === 1))
    assert.equal([...(got.binary[0] as Uint8Array)], [1, 2, 3])
    assert.equal(got.utf8, ['ü'])
    assert.equal(got.json, [{ n: 1 }])
    assert.equal(got.codec, [{ x: 300, label: 'p' }])
    assert.equal(got.abstract, [[9, 8, 7]])
  } finally {
    await t.run()
  }
})

test('a malformed payload is BAD_MESSAGE on onerror and extension-error, never a crash; the connection lives on', async () => {
  const t = teardown()
  try {
    const node = inMemory(t)
    const a = node(t)
    const b = node(t)
    const uint32 = c.uint32
    const throwing: AbstractEncoding<string> = {
      encode: (s) => b4a.from(s),
      decode: () => {
        throw new TypeError('cannot decode this')
      },
      encodingLength: (s) => s.length,
    }
    const cases: Array<{ name: string; encoding: Encoding<unknown>; bad: Uint8Array }> = [
      { name: 'json', encoding: 'json', bad: b4a.from('{not json') },
      { name: 'utf8', encoding: 'utf-8', bad: b4a.from([0xff, 0xfe, 0xfd]) },
      { name: 'codec', encoding: uint32, bad: b4a.from([1, 2]) },
      { name: 'abstract', encoding: throwing, bad: b4a.from('x') },
    ]
    const errors: Array<{ where: string; code: string; from: string }> = []
    const events: Array<{ code: string; from: string }> = []
    b.on('extension-error', (err, peer) =>
      events.push({ code: err.code, from: peer ? b4a.toString(peer.remotePublicKey, 'hex') : '' }),
    )
    const good: unknown[] = []
    for (const k of cases) {
      b.registerExtension<unknown>(k.name, {
        encoding: k.encoding,
        onmessage: (m) => void good.push(m),
        onerror: (err, peer) =>
          errors.push({
            where: k.name,
            code: err.code,
            from: b4a.toString(peer.remotePublicKey, 'hex'),
          }),
      })
    }
    await connect(a, b)
    for (const k of cases) a.registerExtension(k.name).broadcast(k.bad)
    await eventually(() => errors.length === cases.length && events.length === cases.length)
    assert.equal(
      errors.sort((x, y) => x.where.localeCompare(y.where)),
      cases
        .map((k) => ({ where: k.name, code: 'BAD_MESSAGE', from: hex(a) }))
        .sort((x, y) => x.where.localeCompare(y.where)),
    )
    assert.ok(events.every((e) => e.code === 'BAD_MESSAGE' && e.from === hex(a)))
    assert.is(good.length, 0)

    // Still connected, and a good message still gets through.
    a.registerExtension<unknown>('json', { encoding: 'json' }).broadcast({ ok: true })
    await eventually(() => good.length === 1)
    assert.equal(good, [{ ok: true }])
    assert.is(a.peers.length, 1)
  } finally {
    await t.run()
  }
})

test('an onmessage that throws or rejects is BAD_MESSAGE, and with no handler at all nothing crashes', async () => {
  const t = teardown()
  try {
    const node = inMemory(t)
    const a = node(t)
    const b = node(t)
    const codes: string[] = []
    b.registerExtension('throws', {
      onmessage: () => {
        throw new TypeError('handler bug')
      },
      onerror: (err) => void codes.push('throws:' + err.code),
    })
    b.registerExtension('rejects', {
      onmessage: async () => {
        throw new Error('async handler bug')
      },
      onerror: (err) => void codes.push('rejects:' + err.code),
    })
    // No onerror and no 'extension-error' listener: must not crash either.
    b.registerExtension('silent', {
      encoding: 'json',
      onmessage: () => {
        throw new Error('nobody listens')
      },
    })
    const seen: string[] = []
    b.registerExtension<string>('after', { encoding: 'utf-8', onmessage: (m) => void seen.push(m) })
    await connect(a, b)
    a.registerExtension('throws').broadcast(b4a.from('x'))
    a.registerExtension('rejects').broadcast(b4a.from('y'))
    a.registerExtension('silent').broadcast(b4a.from('not json'))
    a.registerExtension<string>('after', { encoding: 'utf-8' }).broadcast('still here')
    await eventually(() => codes.length === 2 && seen.length === 1)
    assert.equal(codes.sort(), ['rejects:BAD_MESSAGE', 'throws:BAD_MESSAGE'])
    assert.equal(seen, ['still here'])
  } finally {
    await t.run()
  }
})

test('send to a peer that left is UNKNOWN_PEER; send on a destroyed extension is CLOSED', async () => {
  const t = teardown()
  try {
    const node = inMemory(t)
    const a = node(t)
    const b = node(t)
    const ext = a.registerExtension<string>('gone', { encoding: 'utf-8' })
    await connect(a, b)
    const peer = peerOf(a, b)
    await b.close()
    await eventually(() => a.peers.length === 0)
    assert.throws(
      () => ext.send('anyone there?', peer),
      (err: unknown) => isDatSdkError(err, 'UNKNOWN_PEER'),
    )
    const stranger = { ...peer, remotePublicKey: randomBytes(32) }
    assert.throws(
      () => ext.send('hm', stranger),
      (err: unknown) => isDatSdkError(err, 'UNKNOWN_PEER'),
    )
    ext.broadcast('to nobody') // no peers: nothing to do, no error
    ext.destroy()
    ext.destroy()
    assert.ok(ext.destroyed)
    assert.throws(
      () => ext.broadcast('x'),
      (err: unknown) => isDatSdkError(err, 'CLOSED'),
    )
  } finally {
    await t.run()
  }
})

test('broadcast reaches every peer; a destroyed registration stops receiving while its twin goes on', async () => {
  const t = teardown()
  try {
    const node = inMemory(t)
    const hub = node(t)
    const others = [node(t), node(t), node(t)]
    const topic = randomBytes(32)
    const received = others.map(() => [] as string[])
    const twins: string[] = []
    const regs = others.map((o, i) =>
      o.registerExtension<string>('news', {
        encoding: 'utf-8',
        onmessage: (m) => void received[i].push(m),
      }),
    )
    others[0].registerExtension<string>('news', {
      encoding: 'utf-8',
      onmessage: (m) => void twins.push(m),
    })
    const news = hub.registerExtension<string>('news', { encoding: 'utf-8' })
    await hub.configure(topic)
    for (const o of others) await o.configure(topic)
    await eventually(() => hub.peers.length === 3)
    news.broadcast('one')
    await eventually(() => received.every((r) => r.length === 1) && twins.length === 1)

    regs[0].destroy()
    news.broadcast('two')
    await eventually(
      () => received[1].length === 2 && received[2].length === 2 && twins.length === 2,
    )
    assert.equal(received[0], ['one'])
    assert.equal(twins, ['one', 'two'])
  } finally {
    await t.run()
  }
})

test('the wire is a plain protomux channel on the connection: a raw channel talks to a registration', async () => {
  const t = teardown()
  try {
    const network = t.add(new MemorySwarmNetwork())
    const a = t.add(new Networker(t.add(Store.temp()), { swarm: network.swarm() }))
    const got: Array<Received<string>> = []
    const ext = a.registerExtension<string>('raw', { encoding: 'utf-8', onmessage: collect(got) })

    // The other end runs no networker: a bare swarm and a channel opened by hand.
    const bare = network.swarm()
    const rawGot: string[] = []
    bare.on('connection', (socket: MemorySocket) => {
      const channel = Protomux.from(socket).createChannel({
        protocol: EXTENSION_PROTOCOL,
        id: b4a.from('raw'),
        messages: [
          { encoding: c.raw, onmessage: (m: Uint8Array) => void rawGot.push(b4a.toString(m)) },
        ],
      })!
      channel.open()
      channel.messages[0].send(b4a.from('from a raw channel'))
    })
    const topic = randomBytes(32)
    await a.configure(topic)
    bare.join(topic, { server: false, client: true })
    await eventually(() => got.length === 1)
    assert.equal(got, [
      { message: 'from a raw channel', from: b4a.toString(bare.keyPair.publicKey, 'hex') },
    ])
    ext.broadcast('to a raw channel')
    await eventually(() => rawGot.length === 1)
    assert.equal(rawGot, ['to a raw channel'])
  } finally {
    await t.run()
  }
})

test('a remote cannot make us hold unbounded channels for names we never registered', async () => {
  const t = teardown()
  try {
    const node = inMemory(t)
    const a = node(t)
    const b = node(t)
    await connect(a, b)
    const mux = Protomux.from(peerOf(b, a).stream)
    let closed = 0
    let opened = 0
    for (let i = 0; i < 100; i++) {
      const ch = mux.createChannel({
        protocol: EXTENSION_PROTOCOL,
        id: b4a.from('junk-' + i),
        messages: [{ encoding: c.raw }],
        onopen: () => void opened++,
        onclose: () => void closed++,
      })!
      ch.open()
    }
    // An id that is not UTF-8 is not a name: rejected.
    mux
      .createChannel({
        protocol: EXTENSION_PROTOCOL,
        id: b4a.from([0xff]),
        onclose: () => void closed++,
      })!
      .open()
    await eventually(() => opened + closed === 101)
    assert.is(opened, 64)
    assert.is(closed, 37)
    assert.is(a.peers.length, 1, 'the connection lives on')
  } finally {
    await t.run()
  }
})

test.run()
