import v8 from 'node:v8'
import vm from 'node:vm'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { eventually, replicatePair, teardown } from '@dat-sdk/test-utils'
import { Core, Meter, localBlocks, type TransferStats } from '@dat-sdk/core-wrapper'
import { connectPair, corePair } from './helpers.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const test = suite('Core stats(): payload bytes, local blocks, throttled progress')

test('a reader counts each block once, in payload bytes; the writer counts the same going out', async () => {
  const t = teardown()
  try {
    const blocks = Array.from({ length: 300 }, (_, i) => `block ${i} `.padEnd(1000, '.'))
    const pair = await corePair(t, { blocks })
    const events: TransferStats[] = []
    const started = Date.now()
    pair.b.on('progress', (s) => events.push(s))
    assert.is(pair.b.stats().localBlocks, 0)
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    // Half first, then all: the second range must not count the first half again.
    await pair.b.download({ start: 0, end: 150 }).done()
    assert.is(localBlocks(pair.b.hypercore, 0, 150), 150)
    assert.is(localBlocks(pair.b.hypercore, 150, 300), 0)
    await pair.b.download({ start: 0, end: 300 }).done()
    const s = pair.b.stats()
    assert.is(s.blocks, 300)
    assert.is(s.localBlocks, 300)
    assert.is(s.downloadedBlocks, 300)
    assert.is(s.downloadedBytes, 300 * 1000)
    assert.is(s.byteLength, 300 * 1000)
    assert.is(s.peers, 1)
    assert.ok(s.downloadSpeed > 0)
    assert.is(pair.a.stats().uploadedBytes, 300 * 1000)
    assert.is(pair.a.stats().uploadedBlocks, 300)
    // Throttled: never more than one event per 250 ms (plus the first), and a last one with all.
    await eventually(() => events.at(-1)?.downloadedBytes === 300 * 1000)
    const elapsed = Date.now() - started
    assert.ok(events.length <= Math.ceil(elapsed / 250) + 1, `${events.length} in ${elapsed} ms`)
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i]!.downloadedBytes >= events[i - 1]!.downloadedBytes)
    }
  } finally {
    await t.run()
  }
})

test('local blocks of a core held in scattered runs: the count matches has() block by block', async () => {
  const t = teardown()
  try {
    const blocks = Array.from({ length: 200 }, (_, i) => `block ${i}`)
    const pair = await corePair(t, { blocks })
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    // A contiguous head, then runs past it: the count below the contiguous length is taken
    // without the bitfield, the rest from it, and the two must add up.
    await pair.b.download({ start: 0, end: 40 }).done()
    for (const [start, end] of [
      [50, 55],
      [60, 61],
      [90, 130],
      [199, 200],
    ]) {
      await pair.b.download({ start, end }).done()
    }
    assert.is(pair.b.hypercore.contiguousLength, 40)
    const held = async (start: number, end: number) => {
      let n = 0
      for (let i = start; i < end; i++) if (await pair.b.hypercore.has(i)) n++
      return n
    }
    for (const [start, end] of [
      [0, 200],
      [0, 40],
      [10, 52],
      [40, 200],
      [45, 95],
      [120, 200],
      [199, 200],
      [30, 30],
    ]) {
      assert.is(
        localBlocks(pair.b.hypercore, start, end),
        await held(start, end),
        `[${start}, ${end})`,
      )
    }
    assert.is(pair.b.stats().localBlocks, 40 + 5 + 1 + 40 + 1)
  } finally {
    await t.run()
  }
})

test('a Meter listens on one session per core, and a closed Meter stops counting', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['one', 'two', 'three'] })
    const meter = new Meter()
    const second = pair.b.hypercore.session()
    t.add(second)
    await second.ready()
    meter.add(pair.b.hypercore)
    meter.add(second) // the same core: not counted twice
    assert.is(meter.cores().length, 1)
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    await pair.b.download({ start: 0, end: 2 }).done()
    assert.is(meter.downloadedBytes, 'one'.length + 'two'.length)
    meter.destroy()
    await pair.b.download({ start: 2, end: 3 }).done()
    assert.is(meter.downloadedBlocks, 2, 'nothing counted after destroy()')
    assert.is(pair.b.stats().downloadedBlocks, 3, 'the Core counted on')
  } finally {
    await t.run()
  }
})

test('a session closed and opened again is counted again: the new session takes the place of the closed one', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['one', 'two', 'three'] })
    const meter = t.add(new Meter())
    const first = pair.b.hypercore.session()
    await first.ready()
    meter.add(first)
    connectPair(t, pair)
    await pair.b.update({ wait: true })
    await pair.b.download({ start: 0, end: 1 }).done()
    assert.is(meter.downloadedBlocks, 1)
    // Autobase closes an idle writer's session and opens a new one on the same core later.
    await first.close()
    const second = pair.b.hypercore.session()
    t.add(second)
    await second.ready()
    meter.add(second)
    assert.equal(meter.cores(), [second], 'the closed session gave way')
    await pair.b.download({ start: 1, end: 3 }).done()
    assert.is(meter.downloadedBlocks, 3, 'the blocks after the reopening counted')
    assert.is(meter.downloadedBytes, 'one'.length + 'two'.length + 'three'.length)
  } finally {
    await t.run()
  }
})

test('a Meter counts from the first peer: a session that already has one when added is counted at once', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['one', 'two', 'three'] })
    // Counted from its first 'peer-add': a meter added before the peers met.
    const early = new Meter()
    early.add(pair.b.hypercore)
    connectPair(t, pair)
    await eventually(() => pair.b.hypercore.peers.length === 1)
    // The peer is there already: no 'peer-add' will come for this meter to start on.
    const late = new Meter()
    const session = pair.b.hypercore.session()
    t.add(session)
    await session.ready()
    late.add(session)
    await pair.b.update({ wait: true })
    await pair.b.download({ start: 0, end: 3 }).done()
    const bytes = 'one'.length + 'two'.length + 'three'.length
    assert.is(early.downloadedBytes, bytes, 'counted from the first peer')
    assert.is(late.downloadedBytes, bytes, 'counted though its peer came before it')
    assert.is(late.downloadedBlocks, 3)
    early.destroy()
    late.destroy()
  } finally {
    await t.run()
  }
})

test('a connection that closed is let go: a staying writer does not keep every reader it served', async () => {
  const t = teardown()
  try {
    const pair = await corePair(t, { blocks: ['zero', 'one', 'two'] })
    const gone: WeakRef<object>[] = []
    // Three readers in turn, each served a block over a connection of its own, then closed.
    for (let i = 0; i < 3; i++) {
      const store = Store.temp()
      const reader = Core.from(store, pair.a.key)
      await reader.ready()
      const streams = replicatePair(pair.storeA, store)
      assert.is((await reader.get(i))?.toString(), ['zero', 'one', 'two'][i])
      await eventually(() => pair.a.stats().uploadedBlocks === i + 1)
      const served = pair.a.hypercore.peers.map((p) => p.stream)
      assert.is(served.length, 1)
      gone.push(new WeakRef(served[0]!))
      await streams.close()
      await reader.close()
      await store.close()
      await eventually(() => pair.a.hypercore.peers.length === 0)
    }
    // The first two connections closed before the third was counted: nothing may hold them.
    await eventually(
      async () => {
        gc()
        await new Promise((resolve) => setImmediate(resolve))
        return gone[0]!.deref() === undefined && gone[1]!.deref() === undefined
      },
      { message: 'the closed connections were collected' },
    )
    assert.is(pair.a.stats().uploadedBlocks, 3)
  } finally {
    await t.run()
  }
})

test.run()
