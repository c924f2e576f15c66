// A Drive opened without extensions makes its Core when first needed (core-wrapper's CoreHost):
// at its core's first peer, at the first 'append' or 'peer-add' listener, or when peers() or
// registerExtension() asks. What it must keep doing meanwhile: peers, events, first messages.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { eventually, replicatePair, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Drive, type Peer } from '@dat-sdk/drive-wrapper'

const test = suite('Drive: the Core made when first needed')

/** A writer (with `extensions`) and a reader of it without any, in two stores, not connected. */
async function pair(t: Teardown, extensions: string[] = []) {
  const storeA = t.add(Store.temp())
  const storeB = t.add(Store.temp())
  const a = t.add(new Drive(storeA, null, { extensions }))
  await a.ready()
  await a.put('/hello.txt', 'hello')
  const b = t.add(new Drive(storeB, a.key))
  await b.ready()
  return { storeA, storeB, a, b }
}

test('a message sent from the first peer-add reaches a drive that registers its extension after that peer came, over plain corestores', async () => {
  const t = teardown()
  try {
    const { storeA, storeB, a, b } = await pair(t, ['chat'])
    a.on('peer-add', (peer) => peer.extension('chat', 'first'))
    // Plain corestores: no Store pairs the SDK's handshake protocol on the stream, so only the
    // reader's Core, made with its first peer, can answer the writer's probe in time.
    const streams = replicatePair(storeA.corestore, storeB.corestore)
    t.add(() => streams.close())
    // The raw session's peers: asking the drive would make its Core here.
    await eventually(() => b.hyperdrive.core.peers.length === 1, { timeout: 10_000 })
    const heard: string[] = []
    b.registerExtension('chat', {
      onmessage: (message) => heard.push(Buffer.from(message as Uint8Array).toString()),
    })
    await eventually(() => heard.includes('first'), { timeout: 10_000 })
    assert.equal(heard, ['first'])
  } finally {
    await t.run()
  }
})

test("peers() has a drive's peers at once, a 'peer-add' listener hears them, an 'append' listener hears appends", async () => {
  const t = teardown()
  try {
    const { storeA, storeB, a, b } = await pair(t)
    const added: Peer[] = []
    b.on('peer-add', (peer) => added.push(peer))
    const streams = replicatePair(storeA, storeB)
    t.add(() => streams.close())
    await eventually(() => added.length === 1, { timeout: 10_000 })
    assert.is(b.peers().length, 1)
    assert.is(b.peers()[0], added[0], 'the peer heard of is the peer listed')
    // The writer never listened nor asked: its first call has the peer that is there.
    await eventually(() => a.hyperdrive.core.peers.length === 1, { timeout: 10_000 })
    assert.is(a.peers().length, 1)

    const appends: number[] = []
    const c = t.add(new Drive(t.add(Store.temp())))
    await c.ready()
    c.on('append', () => appends.push(c.version))
    await c.put('/a.txt', 'a')
    await eventually(() => appends.length > 0)
    assert.is(appends.at(-1), c.version)
  } finally {
    await t.run()
  }
})

test('stats() counts what moved before anyone asked for peers, both ways', async () => {
  const t = teardown()
  try {
    const { storeA, storeB, a, b } = await pair(t)
    const streams = replicatePair(storeA, storeB)
    t.add(() => streams.close())
    await b.update({ wait: true })
    assert.is(await b.readFile('/hello.txt', 'utf-8'), 'hello')
    const down = b.stats()
    assert.ok(down.downloadedBytes >= 'hello'.length, `${down.downloadedBytes} bytes down`)
    assert.is(down.peers, 1)
    await eventually(() => a.stats().uploadedBytes === down.downloadedBytes)
    assert.is(a.stats().uploadedBlocks, down.downloadedBlocks)
  } finally {
    await t.run()
  }
})

test("a Drive on a core that already has a peer makes its Core at once: its 'peer-add' listener hears that peer", async () => {
  const t = teardown()
  try {
    const { storeA, storeB, b } = await pair(t)
    const streams = replicatePair(storeA, storeB)
    t.add(() => streams.close())
    await eventually(() => b.hyperdrive.core.peers.length === 1, { timeout: 10_000 })
    // A second Drive over the same hyperdrive: its core's peer came before it. Its Meter counts
    // that core at once, with no 'peer-add' listener to wake a deferred Core later.
    const c = t.add(new Drive(b.hyperdrive))
    const added: Peer[] = []
    c.on('peer-add', (peer) => added.push(peer))
    await c.ready()
    await eventually(() => added.length === 1, { timeout: 10_000 })
    assert.is(added[0]!.remotePublicKey.length, 32)
    assert.is(c.stats().peers, 1, 'stats() sees the Core and its peer')
  } finally {
    await t.run()
  }
})

test.run()
