import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store, toHex, toURL, type Hypercore } from '@dat-sdk/store'
import { teardown, eventually, once, replicatePair, rejectionCode } from '@dat-sdk/test-utils'
import { Core, type Peer } from '@dat-sdk/core-wrapper'
import { corePair, connectPair, connectSwarm } from './helpers.js'

const test = suite('Core')

test('pass-throughs give the hypercore figures, url and blocks', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const core = t.add(Core.from(store, { name: 'pass' }))
    await core.ready()
    assert.ok(core.opened)
    assert.is(core.length, 0)
    assert.ok(core.writable)
    assert.ok(core.readable)
    assert.instance(core.key, Uint8Array)
    assert.is(core.key!.byteLength, 32)
    assert.is(core.discoveryKey!.byteLength, 32)
    assert.is(core.url, toURL(core.key!))
    assert.is(core.hypercore.key, core.key)

    const appends: number[] = []
    core.on('append', () => appends.push(core.length))
    const res = await core.append([b4a.from('a'), b4a.from('bc')])
    assert.is(res.length, 2)
    await core.append(b4a.from('d'))
    assert.is(core.length, 3)
    assert.is(core.byteLength, 4)
    assert.equal(appends, [2, 3])
    assert.is(b4a.toString((await core.get(1))!), 'bc')
    assert.ok(await core.has(0))
    assert.ok(await core.has(0, 3))
    const info = await core.info()
    assert.is(info.length, 3)

    const read: string[] = []
    for await (const block of core.createReadStream()) read.push(b4a.toString(block as Uint8Array))
    assert.equal(read, ['a', 'bc', 'd'])
  } finally {
    await t.run()
  }
})

test('two cores replicate through replicatePair, with peers and Peer.has()/remoteLength', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero', 'one', 'two'] })
    const { a, b } = pair
    const addedA: Peer[] = []
    const addedB: Peer[] = []
    a.on('peer-add', (p) => addedA.push(p))
    b.on('peer-add', (p) => addedB.push(p))
    connectPair(t, pair)
    await eventually(() => addedA.length === 1 && addedB.length === 1)
    assert.is(a.peers().length, 1)
    assert.is(b.peers().length, 1)
    assert.is(a.peers()[0], addedA[0], 'the same Peer object in events and peers()')

    assert.is(b4a.toString((await b.get(2))!), 'two')
    const fromB = b.peers()[0]
    await eventually(() => fromB.remoteLength === 3 && fromB.has(0) && fromB.has(2), {
      message: 'the reader learns the writer has every block',
    })
    assert.not.ok(fromB.has(3))

    const fromA = a.peers()[0]
    assert.not.ok(fromA.has(0), 'the reader holds no block the writer knows of')

    // A third store that replicates from the reader only: the reader holds block 2 alone.
    const storeC = t.add(Store.temp())
    const c = t.add(Core.from(storeC, a.key))
    await c.ready()
    const streams = replicatePair(pair.storeB, storeC)
    t.add(() => streams.close())
    await eventually(() => c.peers().length === 1)
    const bFromC = c.peers()[0]
    // Wanting the blocks makes C ask B for its bitfield.
    const download = c.download({ start: 0, end: 3 })
    t.add(() => download.destroy())
    await eventually(() => bFromC.has(2), { message: 'C learns B has block 2' })
    assert.not.ok(bFromC.has(0))
    assert.not.ok(bFromC.has(1))
    assert.is(bFromC.remoteLength, 3)
    assert.is(bFromC.remoteContiguousLength, 0)

    assert.is(fromA.id, toHex(fromA.remotePublicKey))
    assert.is(fromA.id.length, 64)
    assert.is.not(fromA.id, fromB.id)
    assert.is(fromA.remoteAddress, null, 'no socket between in-process streams')

    await a.append(b4a.from('three'))
    assert.ok(await b.update({ wait: true }))
    assert.is(b.length, 4)
    assert.is(b4a.toString((await b.get(3))!), 'three')
  } finally {
    await t.run()
  }
})

test('two cores replicate through Hyperswarm on a loopback testnet', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['hello', 'world'] })
    const { a, b } = pair
    const done = b.hypercore.findingPeers()
    await connectSwarm(t, pair)
    await eventually(() => b.peers().length === 1, { timeout: 20_000 })
    done()
    await b.update({ wait: true })
    assert.is(b.length, 2)
    assert.is(b4a.toString((await b.get(1))!), 'world')
    const peer = a.peers()[0]
    assert.ok(peer, 'the writer sees the reader')
    assert.match(peer.remoteAddress ?? '', /^127\.0\.0\.1:\d+$/)
    assert.is(peer.id, toHex(peer.remotePublicKey))
  } finally {
    await t.run()
  }
})

test('peer-add and peer-remove fire once per connection, with counts', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const a = t.add(Core.from(storeA, { name: 'x' }))
    await a.ready()
    await a.append(b4a.from('x'))
    const added: Peer[] = []
    const removed: Peer[] = []
    a.on('peer-add', (p) => added.push(p))
    a.on('peer-remove', (p) => removed.push(p))

    const readers = []
    for (let i = 0; i < 3; i++) {
      const store = t.add(Store.temp())
      const core = t.add(Core.from(store, a.key))
      await core.ready()
      readers.push({ store, core, streams: replicatePair(storeA, store) })
    }
    await eventually(() => added.length === 3)
    assert.is(a.peers().length, 3)
    assert.is(new Set(added.map((p) => p.id)).size, 3, 'three distinct peers')
    for (const r of readers) await eventually(() => r.core.peers().length === 1)

    await readers[0].streams.close()
    await eventually(() => removed.length === 1)
    assert.is(removed[0], added[0])
    assert.is(a.peers().length, 2)
    assert.not.ok(a.peers().includes(added[0]))

    await readers[1].store.close()
    await eventually(() => removed.length === 2, { message: 'closing the remote store removes it' })
    assert.is(a.peers().length, 1)
    assert.is(a.peers()[0].id, added[2].id)
    await readers[2].streams.close()
    await readers[1].streams.close()
    await eventually(() => a.peers().length === 0)
    assert.is(removed.length, 3)
    assert.is(added.length, 3, 'no extra peer-add')
  } finally {
    await t.run()
  }
})

test('peers connected before the Core opened get a peer-add when it opens', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['a'] })
    connectPair(t, pair)
    await eventually(() => pair.a.peers().length === 1)
    // A second Core on a new session of the same, already replicating core.
    const late = t.add(new Core(pair.a.hypercore.session()))
    const added: Peer[] = []
    late.on('peer-add', (p) => added.push(p))
    await late.ready()
    assert.is(added.length, 1)
    assert.equal(late.peers(), added)
    assert.is(added[0].id, pair.a.peers()[0].id)
  } finally {
    await t.run()
  }
})

test('close() is idempotent, leaves the session it was handed open, and later calls reject with CLOSED', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const hypercore = t.add(store.get({ name: 'c' }))
    const core = new Core(hypercore)
    await core.ready()
    await core.append(b4a.from('x'))
    let closes = 0
    core.on('close', () => closes++)
    const first = core.close()
    const second = core.close()
    await Promise.all([first, second])
    await core.close()
    assert.is(closes, 1)
    assert.ok(core.closed)
    assert.not.ok(hypercore.closed, 'what is handed in is not closed')
    await hypercore.append(b4a.from('still open'))
    assert.is(hypercore.length, 2)

    assert.is(await rejectionCode(core.append(b4a.from('y'))), 'CLOSED')
    assert.is(await rejectionCode(core.get(0)), 'CLOSED')
    assert.is(await rejectionCode(core.has(0)), 'CLOSED')
    assert.is(await rejectionCode(core.update()), 'CLOSED')
    assert.is(await rejectionCode(core.info()), 'CLOSED')
    assert.is(await rejectionCode(() => core.download()), 'CLOSED')
    assert.is(await rejectionCode(() => core.createReadStream()), 'CLOSED')
    assert.is(await rejectionCode(() => core.createWriteStream()), 'CLOSED')
    assert.is(await rejectionCode(() => core.registerExtension('e')), 'CLOSED')
    assert.is(await rejectionCode(() => core.extension('e', 'x')), 'CLOSED')
    assert.equal(core.peers(), [])
  } finally {
    await t.run()
  }
})

test('close() while opening waits for the open; closeHypercore: true hands the session over', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const early = new Core(store.get({ name: 'early' }), { closeHypercore: true })
    await early.close()
    assert.ok(early.closed)
    assert.ok(early.hypercore.closed)

    const hypercore = store.get({ name: 'given' })
    const core = new Core(hypercore, { closeHypercore: true })
    await core.ready()
    await core.close()
    assert.ok(hypercore.closed, 'the session was handed over')
  } finally {
    await t.run()
  }
})

test('Core.from() closes the session it opened, unless closeHypercore: false', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const owned = Core.from(store, { name: 'owned' })
    await owned.ready()
    await owned.close()
    assert.ok(owned.hypercore.closed, 'Core.from() opened it, so it closes it')

    const kept = Core.from(store, { name: 'kept' }, { closeHypercore: false })
    await kept.ready()
    await kept.close()
    assert.not.ok(kept.hypercore.closed)
    await kept.hypercore.append(b4a.from('still open'))
    assert.is(kept.hypercore.length, 1)
  } finally {
    await t.run()
  }
})

test('a Core closes when its session is closed under it', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const core = t.add(Core.from(store, { name: 'under' }))
    await core.ready()
    const closed = once(core, 'close')
    await core.hypercore.close()
    await closed
    assert.ok(core.closed)
    assert.is(await rejectionCode(core.append(b4a.from('x'))), 'CLOSED')
  } finally {
    await t.run()
  }
})

test('the constructor checks shapes, not classes', async () => {
  const t = teardown()
  try {
    assert.throws(
      () => new Core({} as unknown as Hypercore), // wrong type on purpose: runtime TypeError
      (err: Error) => err instanceof TypeError,
    )
    assert.throws(
      () => new Core(null as unknown as Hypercore), // wrong type on purpose: runtime TypeError
      (err: Error) => err instanceof TypeError,
    )
    const store = t.add(Store.temp())
    const hypercore = store.get({ name: 'shape' })
    // A stand-in for a hypercore from another copy of the module: same shape, no shared class.
    const foreign = new Proxy(Object.create(null) as typeof hypercore, {
      get(_, prop) {
        const value = Reflect.get(hypercore, prop)
        return typeof value === 'function' ? value.bind(hypercore) : value
      },
    })
    assert.not.ok(foreign instanceof (hypercore.constructor as new () => unknown))
    const core = t.add(new Core(foreign, { closeHypercore: false }))
    await core.ready()
    await core.append(b4a.from('ok'))
    assert.is(hypercore.length, 1)
    await hypercore.close()
    assert.throws(
      () => new Core(store.get({ name: 'bad' }), { extensions: [''] }),
      (err: Error) => err instanceof TypeError,
    )
  } finally {
    await t.run()
  }
})

test.run()
