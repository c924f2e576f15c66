// A message sent from a 'peer-add' handler must reach that peer, also when the remote registers
// its extension only after the connection was made (where the raw stack drops it; see handshake.ts).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store, decodeReady, encodeReady, type Hypercore, type HypercorePeer } from '@dat-sdk/store'
import { teardown, eventually, replicatePair } from '@dat-sdk/test-utils'
import { Core, READY_EXTENSION, type Peer } from '@dat-sdk/core-wrapper'
import { corePair, connectPair, collector } from './helpers.js'

const test = suite('first message')

/**
 * The sentinel of the late cases: a mark from `from` to `to` on raw sessions of the core, on a
 * name both register before the connection (so it is never dropped). Resolving, it shows that
 * whatever `from` had sent `to` directly on the same channel has arrived. Call it once connected.
 */
function rawMark(from: Hypercore<unknown>, to: Hypercore<unknown>): () => Promise<void> {
  const sender = from.registerExtension<string>('test-mark', { encoding: 'utf-8' })
  let marks = 0
  to.registerExtension<string>('test-mark', { encoding: 'utf-8', onmessage: () => void marks++ })
  return async () => {
    await eventually(() => from.peers.length === 1)
    sender.send('mark', from.peers[0])
    await eventually(() => marks === 1, { message: 'the mark did not arrive' })
  }
}

test('sent from peer-add on both sides, both arrive', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['x'] })
    const gotA = collector<[string, Peer]>()
    const gotB = collector<[string, Peer]>()
    const extA = pair.a.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: gotA.fn })
    const extB = pair.b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: gotB.fn })
    pair.a.on('peer-add', (peer) => extA.send('from a', peer))
    pair.b.on('peer-add', (peer) => extB.send('from b', peer))
    connectPair(t, pair)
    await eventually(() => gotA.calls.length === 1 && gotB.calls.length === 1)
    assert.is(gotA.calls[0][0], 'from b')
    assert.is(gotB.calls[0][0], 'from a')
  } finally {
    await t.run()
  }
})

test('raw stack control: the message is lost when the remote registers after the connection', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const a = storeA.get({ name: 'x' })
    await a.ready()
    await a.append(b4a.from('x'))
    const extA = a.registerExtension<string>('hi', { encoding: 'utf-8' })
    const sentinelA = a.registerExtension<string>('sentinel', { encoding: 'utf-8' })
    const peersA: HypercorePeer[] = []
    a.on('peer-add', (peer: HypercorePeer) => {
      extA.send('from a', peer)
      peersA.push(peer)
    })
    const b = storeB.get(a.key!)
    await b.ready()
    // Registered before the connection, so it is never dropped: it marks where 'hi' would be.
    let sentinels = 0
    b.registerExtension<string>('sentinel', {
      encoding: 'utf-8',
      onmessage: () => void sentinels++,
    })
    const streams = replicatePair(storeA, storeB)
    t.add(() => streams.close())
    await b.update({ wait: true })
    const got: string[] = []
    b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: (m) => void got.push(m) })
    await eventually(() => peersA.length === 1)
    // One channel delivers in order: once the sentinel, sent after 'hi', has arrived, so has 'hi'.
    sentinelA.send('after hi', peersA[0])
    await eventually(() => sentinels === 1)
    assert.equal(
      got,
      [],
      'hypercore drops a message for a name the receiver has not registered yet',
    )
  } finally {
    await t.run()
  }
})

test('the same late registration through Core: the message arrives', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['x'] })
    const extA = pair.a.registerExtension<string>('hi', { encoding: 'utf-8' })
    let sent = false
    pair.a.on('peer-add', (peer) => {
      extA.send('from a', peer)
      sent = true
    })
    const mark = rawMark(pair.a.hypercore, pair.b.hypercore)
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    await eventually(() => sent)
    // Had 'hi' gone out at once, as the raw stack sends it, it would be at B by now, and lost.
    await mark()
    assert.ok(sent, 'the late case: A sent before B registered')
    const got = collector<[string, Peer]>()
    pair.b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: got.fn })
    await eventually(() => got.calls.length === 1)
    assert.is(got.calls[0][0], 'from a')
  } finally {
    await t.run()
  }
})

test('two Cores on two sessions of one core: one announcement releases both queues', async () => {
  const t = teardown()
  try {
    // A long timeout: only the handshake, not the fallback, can deliver within the test.
    const pair = await corePair(t, { a: { handshakeTimeout: 60_000 }, blocks: ['x'] })
    const a2 = t.add(new Core(pair.a.hypercore.session(), { handshakeTimeout: 60_000 }))
    await a2.ready()
    const ext1 = pair.a.registerExtension<string>('hi', { encoding: 'utf-8' })
    const ext2 = a2.registerExtension<string>('hi', { encoding: 'utf-8' })
    pair.a.on('peer-add', (peer) => ext1.send('from a1', peer))
    a2.on('peer-add', (peer) => ext2.send('from a2', peer))
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    await eventually(() => pair.a.peers().length === 1 && a2.peers().length === 1)
    // B registers late: hypercore hands B's announcement to one session of A's core only.
    const got = collector<[string, Peer]>()
    pair.b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: got.fn })
    await eventually(() => got.calls.length === 2)
    assert.equal(got.calls.map((c) => c[0]).sort(), ['from a1', 'from a2'])
  } finally {
    await t.run()
  }
})

test('a Core made later on an already replicating session gets what was sent to it', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const a = t.add(Core.from(storeA, { name: 'x' }))
    await a.ready()
    await a.append(b4a.from('x'))
    const extA = a.registerExtension<string>('hi', { encoding: 'utf-8' })
    a.on('peer-add', (peer) => extA.send('from a', peer))
    // B replicates with a raw session first; its Core comes later.
    let sent = false
    a.on('peer-add', () => (sent = true)) // after the handler above, which sends
    const rawB = t.add(storeB.get(a.key!))
    await rawB.ready()
    const mark = rawMark(a.hypercore, rawB)
    const streams = replicatePair(storeA, storeB)
    t.add(() => streams.close())
    await eventually(() => sent)
    // Had 'hi' gone out at once it would be at B's raw session by now, which drops it.
    await mark()
    assert.ok(sent, 'the late case: A sent before B had a Core')
    const got = collector<[string, Peer]>()
    const b = t.add(new Core(rawB.session()))
    b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: got.fn })
    await eventually(() => got.calls.length === 1)
    assert.is(got.calls[0][0], 'from a')
  } finally {
    await t.run()
  }
})

test('a raw hypercore peer (no handshake) gets the message after handshakeTimeout', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const a = t.add(Core.from(storeA, { name: 'x' }, { handshakeTimeout: 200 }))
    await a.ready()
    await a.append(b4a.from('x'))
    const got: string[] = []
    const gotA = collector<[string, Peer]>()
    const extA = a.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: gotA.fn })
    a.on('peer-add', (peer) => extA.send('from a', peer))
    const b = t.add(storeB.get(a.key!))
    const extB = b.registerExtension<string>('hi', {
      encoding: 'utf-8',
      onmessage: (m: string) => void got.push(m),
    })
    b.on('peer-add', (peer: HypercorePeer) => extB.send('from raw b', peer))
    await b.ready()
    const streams = replicatePair(storeA, storeB)
    t.add(() => streams.close())
    await eventually(() => got.length === 1 && gotA.calls.length === 1)
    assert.equal(got, ['from a'])
    assert.is(gotA.calls[0][0], 'from raw b')
    extA.broadcast('second')
    await eventually(() => got.length === 2)
    assert.is(got[1], 'second')
  } finally {
    await t.run()
  }
})

test('messages wait in order for a late registration, and other names are not held up', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['x'] })
    const now = collector<[string, Peer]>()
    pair.b.registerExtension<string>('now', { encoding: 'utf-8', onmessage: now.fn })
    const later = pair.a.registerExtension<string>('later', { encoding: 'utf-8' })
    const soon = pair.a.registerExtension<string>('now', { encoding: 'utf-8' })
    pair.a.on('peer-add', (peer) => {
      for (let i = 0; i < 5; i++) later.send(`m${i}`, peer)
      soon.send('now', peer)
    })
    connectPair(t, pair)
    await eventually(() => now.calls.length === 1)
    const got = collector<[string, Peer]>()
    pair.b.registerExtension<string>('later', { encoding: 'utf-8', onmessage: got.fn })
    await eventually(() => got.calls.length === 5)
    assert.equal(
      got.calls.map((c) => c[0]),
      ['m0', 'm1', 'm2', 'm3', 'm4'],
    )
  } finally {
    await t.run()
  }
})

test('a name another session of the remote core registered is announced too', async () => {
  const t = teardown()
  try {
    // The sender would hold the message for 30 s if the remote did not announce the name.
    const pair = await corePair(t, { blocks: ['x'], a: { handshakeTimeout: 30_000 } })
    const got: string[] = []
    // Registered on the raw hypercore under B's Core (as a raw-hypercore gossip would), not through it.
    const other = t.add(pair.b.hypercore.session())
    other.registerExtension<string>('raw-name', {
      encoding: 'utf-8',
      onmessage: (m: string) => void got.push(m),
    })
    const ext = pair.a.registerExtension<string>('raw-name', { encoding: 'utf-8' })
    pair.a.on('peer-add', (peer) => ext.send('hello', peer))
    connectPair(t, pair)
    await eventually(() => got.length === 1, { timeout: 5_000 })
    assert.equal(got, ['hello'])
  } finally {
    await t.run()
  }
})

test('a name the remote handles without announcing it waits handshakeTimeout at most', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['x'], a: { handshakeTimeout: 300 } })
    const ext = pair.a.registerExtension<string>('late-raw', { encoding: 'utf-8' })
    const known = pair.a.registerExtension<string>('known', { encoding: 'utf-8' })
    const gotKnown = collector<[string, Peer]>()
    pair.b.registerExtension<string>('known', { encoding: 'utf-8', onmessage: gotKnown.fn })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    known.broadcast('the handshake is done')
    await eventually(() => gotKnown.calls.length === 1)
    // B's Core has announced; now a raw session of B registers a name B's Core never hears of.
    const got: string[] = []
    const other = t.add(pair.b.hypercore.session())
    other.registerExtension<string>('late-raw', {
      encoding: 'utf-8',
      onmessage: (m: string) => void got.push(m),
    })
    const started = Date.now()
    ext.broadcast('one')
    ext.broadcast('two')
    await eventually(() => got.length === 2, { timeout: 5_000 })
    assert.equal(got, ['one', 'two'])
    assert.ok(Date.now() - started >= 250, 'held for the timeout, then sent')
    ext.broadcast('three')
    await eventually(() => got.length === 3, { timeout: 200, message: 'later ones go at once' })
  } finally {
    await t.run()
  }
})

test('a raw hypercore peer (a plain Corestore) gets the first message at once: the probe is rejected', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    // A 60 s timeout: only the rejected probe, not the timeout, can release the message in time.
    const a = t.add(Core.from(storeA, { name: 'x' }, { handshakeTimeout: 60_000 }))
    await a.ready()
    await a.append(b4a.from('x'))
    const extA = a.registerExtension<string>('hi', { encoding: 'utf-8' })
    let sentAt = 0
    a.on('peer-add', (peer) => {
      sentAt = Date.now()
      extA.send('from a', peer)
      extA.send('second', peer)
    })
    const b = t.add(storeB.get(a.key!))
    const got: string[] = []
    b.registerExtension<string>('hi', {
      encoding: 'utf-8',
      onmessage: (m: string) => void got.push(m),
    })
    await b.ready()
    // B replicates through its plain Corestore: nothing of ours pairs dat-sdk/ready@1 there.
    const streams = replicatePair(storeA, storeB.corestore)
    t.add(() => streams.close())
    await eventually(() => got.length === 2, { timeout: 5_000 })
    assert.equal(got, ['from a', 'second'], 'in order, each once')
    assert.ok(Date.now() - sentAt < 5_000)
    extA.broadcast('third')
    await eventually(() => got.length === 3)
    assert.equal(got, ['from a', 'second', 'third'])
  } finally {
    await t.run()
  }
})

test('an older peer of ours (the extension announcement) still gets a late-registered name', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const a = t.add(Core.from(storeA, { name: 'x' }, { handshakeTimeout: 60_000 }))
    await a.ready()
    await a.append(b4a.from('x'))
    const extA = a.registerExtension<string>('hi', { encoding: 'utf-8' })
    a.on('peer-add', (peer) => extA.send('from a', peer))
    // B speaks the older protocol by hand: it announces on the extension and never pairs the channel.
    const b = t.add(storeB.get(a.key!))
    const answers: Array<{ heard: boolean; names: string[] }> = []
    const ready = b.registerExtension<Uint8Array>(READY_EXTENSION, {
      encoding: 'binary',
      onmessage: (bytes: Uint8Array) => void answers.push(decodeReady(bytes)),
    })
    const peersB: HypercorePeer[] = []
    b.on('peer-add', (peer: HypercorePeer) => {
      peersB.push(peer)
      ready.send(encodeReady({ heard: false, names: [] }), peer)
    })
    await b.ready()
    const streams = replicatePair(storeA, storeB.corestore)
    t.add(() => streams.close())
    await eventually(() => answers.length === 1, { message: 'A answers the old announcement' })
    assert.equal(answers[0], { heard: true, names: ['hi'] })
    const got: string[] = []
    b.registerExtension<string>('hi', {
      encoding: 'utf-8',
      onmessage: (m: string) => void got.push(m),
    })
    ready.send(encodeReady({ heard: true, names: ['hi'] }), peersB[0])
    await eventually(() => got.length === 1, { timeout: 5_000 })
    assert.equal(got, ['from a'])
  } finally {
    await t.run()
  }
})

test('an idle Core registers nothing on its session until it meets a peer, and a first message still arrives', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['x'] })
    // A seeder's idle core: no extension, no peer, so no handshake on the session yet.
    assert.equal([...pair.a.hypercore.extensions.keys()], [])
    assert.equal([...pair.b.hypercore.extensions.keys()], [])
    const extA = pair.a.registerExtension<string>('hi', { encoding: 'utf-8' })
    assert.equal([...pair.a.hypercore.extensions.keys()], ['hi'])
    pair.a.on('peer-add', (peer) => extA.send('from a', peer))
    const mark = rawMark(pair.a.hypercore, pair.b.hypercore)
    connectPair(t, pair)
    // B registers only after the connection: the case the handshake exists for.
    await mark()
    const got = collector<[string, Peer]>()
    pair.b.registerExtension<string>('hi', { encoding: 'utf-8', onmessage: got.fn })
    await eventually(() => got.calls.length === 1, { message: 'the first message did not arrive' })
    assert.is(got.calls[0][0], 'from a')
    // Meeting the peer made each side's handshake.
    assert.ok(pair.a.hypercore.extensions.has(READY_EXTENSION))
    assert.ok(pair.b.hypercore.extensions.has(READY_EXTENSION))
  } finally {
    await t.run()
  }
})

test.run()
