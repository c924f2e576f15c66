// Extension messages defined in a real .proto schema (test/fixtures/chat.proto), compiled by the
// npm package protocol-buffers, whose messages are abstract-encodings (protocol-buffers-encodings):
// the shape API.md promises `encoding` accepts, tested with the real thing between two Cores on
// real hypercores over a replication stream.
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import protobuf from 'protocol-buffers'
import type { DatSdkError } from '@dat-sdk/store'
import { teardown, eventually, type Teardown } from '@dat-sdk/test-utils'
import type { Peer } from '@dat-sdk/core-wrapper'
import { corePair, connectPair, collector, type CorePair } from './helpers.js'

const test = suite('protocol-buffers messages')

/** What chat.proto's messages decode to (proto3: every field present, defaults when unset). */
interface Chat {
  text: string
  at: number
}
interface Room {
  name: string
  members: string[]
  history: Chat[]
  pinned: Chat | null
}

// Compiled when the test starts, from the schema file itself: there is no generated code to keep
// in step with the schema, and compiling takes a few milliseconds.
const messages = protobuf<{ Chat: Chat; Room: Room }>(
  fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'chat.proto')),
)

// `at` needs more than 32 bits, so the uint64 varint is exercised past the int32 range.
const hello: Chat = { text: 'hello wörld', at: 1_700_000_000_123 }
const room: Room = {
  name: 'lobby',
  members: ['ada', 'grace'],
  history: [
    { text: 'first', at: 1 },
    { text: 'second', at: 2 ** 40 },
  ],
  pinned: { text: 'read the rules', at: 3 },
}

/** A connected pair where each side registered 'chat' (Chat) and 'room' (Room). */
async function setup(t: Teardown) {
  const pair = await corePair(t, { blocks: ['zero'] })
  const chatAtB = collector<[Chat, Peer]>()
  const roomAtA = collector<[Room, Peer]>()
  const errorsAtB = collector<[DatSdkError, Peer]>()
  const eventsAtB = collector<[DatSdkError, Peer | undefined]>()
  pair.b.on('extension-error', eventsAtB.fn)
  const chatA = pair.a.registerExtension<Chat>('chat', { encoding: messages.Chat })
  pair.b.registerExtension<Chat>('chat', {
    encoding: messages.Chat,
    onmessage: chatAtB.fn,
    onerror: errorsAtB.fn,
  })
  pair.a.registerExtension<Room>('room', { encoding: messages.Room, onmessage: roomAtA.fn })
  const roomB = pair.b.registerExtension<Room>('room', { encoding: messages.Room })
  // The same name in binary on A: sends whatever bytes it is given, as a faulty peer would.
  const rawA = pair.a.registerExtension('chat')
  connectPair(t, pair)
  await eventually(() => pair.a.peers().length === 1 && pair.b.peers().length === 1)
  return { pair, chatA, roomB, rawA, chatAtB, roomAtA, errorsAtB, eventsAtB }
}

/** The connection still replicates: a new block reaches the reader. */
async function stillReplicates(pair: CorePair, label: string): Promise<void> {
  const index = pair.a.length
  await pair.a.append(b4a.from(label))
  assert.is(b4a.toString((await pair.b.get(index, { timeout: 10_000 }))!), label)
}

test('Chat and Room from chat.proto travel both ways, nested and repeated fields intact', async () => {
  const t = teardown()
  try {
    const { pair, chatA, roomB, chatAtB, roomAtA } = await setup(t)
    // A binary twin of B's registration sees the bytes on the wire.
    const wire = collector<[Uint8Array, Peer]>()
    pair.b.registerExtension('chat', { onmessage: wire.fn })

    chatA.send(hello, pair.a.peers()[0])
    roomB.broadcast(room)
    await eventually(() => chatAtB.calls.length === 1 && roomAtA.calls.length === 1)
    assert.equal(chatAtB.calls[0][0], hello)
    assert.is(chatAtB.calls[0][1], pair.b.peers()[0], 'the handler gets our Peer object')
    assert.equal(roomAtA.calls[0][0], room)

    await eventually(() => wire.calls.length === 1)
    assert.ok(
      b4a.equals(wire.calls[0][0], messages.Chat.encode(hello)),
      'the bytes on the wire are exactly the schema encoding',
    )
  } finally {
    await t.run()
  }
})

const chatBytes = messages.Chat.encode(hello) // 0a 0c 'hello wörld' 10 <6-byte varint>
const roomBytes = messages.Room.encode(room)

const bad: Array<{ label: string; bytes: Uint8Array }> = [
  // Field 1's length prefix says 12 bytes, 5 follow. protocol-buffers reads this as a shorter
  // string without complaint; the SDK sees that the decoder read past the end.
  { label: 'a Chat cut inside its text', bytes: chatBytes.subarray(0, 7) },
  {
    label: 'a Chat cut inside the uint64 varint',
    bytes: chatBytes.subarray(0, chatBytes.length - 2),
  },
  { label: 'a Room cut inside a nested history entry', bytes: roomBytes.subarray(0, 24) },
  // '{' is field 15 with wire type 3 (a group), which protocol-buffers refuses.
  { label: 'JSON sent where protobuf is expected', bytes: b4a.from('{"text":"hi","at":1}') },
  { label: 'a field key whose varint never ends', bytes: b4a.from([0xff, 0xff, 0xff, 0xff]) },
]

for (const { label, bytes } of bad) {
  test(`${label}: BAD_MESSAGE to onerror and extension-error; the next message arrives`, async () => {
    const t = teardown()
    try {
      const { pair, chatA, rawA, chatAtB, errorsAtB, eventsAtB } = await setup(t)
      rawA.broadcast(bytes)
      chatA.broadcast(hello)
      // The good message went after the bad one on the same channel: once it is here, the bad
      // one has been handled too.
      await eventually(() => chatAtB.calls.some(([m]) => m.at === hello.at))
      assert.equal(
        chatAtB.calls.map(([m]) => m),
        [hello],
        'the bad bytes were not delivered as a message',
      )
      assert.is(errorsAtB.calls.length, 1)
      const [err, peer] = errorsAtB.calls[0]
      assert.is(err.code, 'BAD_MESSAGE')
      assert.is(peer, pair.b.peers()[0], 'the error names the peer')
      assert.is(eventsAtB.calls.length, 1)
      assert.is(eventsAtB.calls[0][0], err)
      assert.is(eventsAtB.calls[0][1], peer)
      await stillReplicates(pair, 'after ' + label)
    } finally {
      await t.run()
    }
  })
}

test('a Chat cut between two fields is a valid shorter message: protobuf cannot tell, so it arrives', async () => {
  const t = teardown()
  try {
    const { rawA, chatAtB, errorsAtB } = await setup(t)
    // Field 1 complete (2 + 12 bytes), field 2 missing: proto3 gives `at` its default, 0.
    rawA.broadcast(chatBytes.subarray(0, 14))
    await eventually(() => chatAtB.calls.length === 1)
    assert.equal(chatAtB.calls[0][0], { text: hello.text, at: 0 })
    assert.is(errorsAtB.calls.length, 0)
  } finally {
    await t.run()
  }
})

test.run()
