// Connection-level extension messages defined in a real .proto schema (test/fixtures/hello.proto),
// compiled by the npm package protocol-buffers, whose messages are abstract-encodings: two
// Networkers on a loopback testnet, end to end.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import protobuf from 'protocol-buffers'
import { Store, type DatSdkError } from '@dat-sdk/store'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('networker: protocol-buffers messages')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** What hello.proto's messages decode to (proto3: every field present). */
interface Topic {
  key: Uint8Array
  announce: boolean
}
interface Hello {
  name: string
  since: number
  topics: Topic[]
}

// Compiled when the test starts, from the schema file itself (no generated code to drift).
const messages = protobuf<{ Hello: Hello; Topic: Topic }>(
  fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'hello.proto')),
)

const fromA: Hello = {
  name: 'a',
  since: 1_700_000_000_123,
  topics: [
    { key: randomBytes(32), announce: true },
    { key: randomBytes(32), announce: false },
  ],
}
const fromB: Hello = { name: 'b', since: 2 ** 40, topics: [] }

function onTestnet(t: Teardown): Networker {
  return t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
}

/** Connects two networkers on a fresh topic and waits until each sees the other. */
async function connect(a: Networker, b: Networker): Promise<void> {
  const topic = randomBytes(32)
  await a.configure(topic)
  await b.configure(topic)
  await eventually(() => a.peers.length === 1 && b.peers.length === 1, { timeout: 15_000 })
}

const hex = (key: Uint8Array) => b4a.toString(key, 'hex')

test('Hello from hello.proto travels both ways, bytes and nested repeated fields intact', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    const atA: Array<[Hello, string]> = []
    const atB: Array<[Hello, string]> = []
    const wireAtB: Uint8Array[] = []
    const helloA = a.registerExtension<Hello>('hello', {
      encoding: messages.Hello,
      onmessage: (m, peer) => void atA.push([m, hex(peer.remotePublicKey)]),
    })
    const helloB = b.registerExtension<Hello>('hello', {
      encoding: messages.Hello,
      onmessage: (m, peer) => void atB.push([m, hex(peer.remotePublicKey)]),
    })
    // A binary twin of B's registration sees the bytes on the wire.
    b.registerExtension('hello', { onmessage: (bytes) => void wireAtB.push(bytes) })
    await connect(a, b)

    helloA.send(fromA, a.peers[0])
    helloB.broadcast(fromB)
    await eventually(() => atA.length === 1 && atB.length === 1 && wireAtB.length === 1, {
      timeout: 15_000,
    })
    assert.equal(atB, [[fromA, hex(a.publicKey)]])
    assert.equal(atA, [[fromB, hex(b.publicKey)]])
    assert.ok(
      b4a.equals(wireAtB[0], messages.Hello.encode(fromA)),
      'the bytes on the wire are exactly the schema encoding',
    )
  } finally {
    await t.run()
  }
})

test('a truncated and a garbage payload on the same name are BAD_MESSAGE; the connection lives on', async () => {
  const t = teardown()
  try {
    const a = onTestnet(t)
    const b = onTestnet(t)
    const good: Hello[] = []
    const errors: Array<{ code: string; from: string }> = []
    const events: Array<{ err: DatSdkError; from: string }> = []
    b.on('extension-error', (err, peer) =>
      events.push({ err, from: peer ? hex(peer.remotePublicKey) : '' }),
    )
    b.registerExtension<Hello>('hello', {
      encoding: messages.Hello,
      onmessage: (m) => void good.push(m),
      onerror: (err, peer) => void errors.push({ code: err.code, from: hex(peer.remotePublicKey) }),
    })
    const hello = a.registerExtension<Hello>('hello', { encoding: messages.Hello })
    // The same name in binary: sends whatever bytes it is given, as a faulty peer would.
    const raw = a.registerExtension('hello')
    await connect(a, b)

    const whole = messages.Hello.encode(fromA)
    // Cut inside the first topic's 32-byte key: the nested message's length points past the end.
    raw.broadcast(whole.subarray(0, 20))
    // Field 1 with a string length of 100 and three bytes after it: protocol-buffers alone would
    // read this as the string 'abc'; the SDK sees the decoder read past the end.
    raw.broadcast(b4a.from([0x0a, 100, 0x61, 0x62, 0x63]))
    // Garbage: a field key whose varint never ends.
    raw.broadcast(b4a.from([0xff, 0xff, 0xff, 0xff, 0xff]))
    hello.broadcast(fromA)
    // The good message went after the bad ones on the same channel: once it is here, they have
    // been handled too.
    await eventually(() => good.some((m) => m.since === fromA.since), { timeout: 15_000 })
    assert.equal(good, [fromA], 'the bad bytes were not delivered as messages')
    assert.equal(errors, [
      { code: 'BAD_MESSAGE', from: hex(a.publicKey) },
      { code: 'BAD_MESSAGE', from: hex(a.publicKey) },
      { code: 'BAD_MESSAGE', from: hex(a.publicKey) },
    ])
    assert.equal(
      events.map((e) => [e.err.code, e.from]),
      errors.map((e) => [e.code, e.from]),
    )

    // Still one connection, and it carries messages both ways.
    assert.is(a.peers.length, 1)
    assert.is(b.peers.length, 1)
    const back: Hello[] = []
    a.registerExtension<Hello>('hello', {
      encoding: messages.Hello,
      onmessage: (m) => void back.push(m),
    })
    b.registerExtension<Hello>('hello', { encoding: messages.Hello }).broadcast(fromB)
    await eventually(() => back.length === 1, { timeout: 15_000 })
    assert.equal(back, [fromB])
  } finally {
    await t.run()
  }
})

test.run()
