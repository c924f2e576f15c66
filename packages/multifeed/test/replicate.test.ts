import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { Store, type Hypercore } from '@dat-sdk/store'
import { once as onceEvent } from 'node:events'
import { eventually, once, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Multifeed } from '@dat-sdk/multifeed'
import { pipe, settled } from './sync.js'

const test = suite('multifeed: replication')

const hex = (key: Uint8Array | null) => b4a.toString(key!, 'hex')

function multifeed(
  t: Teardown,
  opts: ConstructorParameters<typeof Multifeed>[1] = {},
): Multifeed<string> {
  return t.add(new Multifeed<string>(t.tmpDir(), { valueEncoding: 'utf-8', ...opts }))
}

async function writerWith(
  m: Multifeed<string>,
  name: string,
  blocks: string[],
): Promise<Hypercore<string>> {
  const w = await m.writer(name)
  if (blocks.length) await w.append(blocks)
  return w
}

test("one empty side: the other side's feed arrives and the stream ends", async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    await writerWith(m1, 'local', ['foo'])
    await m2.ready()
    const r = m1.replicate(true)
    const s = m2.replicate(false)
    const events = [onceEvent(r, 'remote-feeds'), onceEvent(s, 'remote-feeds')]
    await pipe(r, s).done
    await Promise.all(events)
    assert.is(m1.feeds().length, 1)
    assert.is(m2.feeds().length, 1)
    assert.is(await m2.feeds()[0].get(0), 'foo')
  } finally {
    await t.run()
  }
})

test('two empty sides: the stream ends with nothing exchanged', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    const r = m1.replicate(true)
    const s = m2.replicate(false)
    const remoteFeeds = once(m1, 'remote-feeds')
    await pipe(r, s).done
    await remoteFeeds
    assert.is(m1.feeds().length, 0)
    assert.is(m2.feeds().length, 0)
  } finally {
    await t.run()
  }
})

test('two sides with data: names, remote-feeds, and the data crosses', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    const names1: Array<string | null> = []
    const names2: Array<string | null> = []
    m1.on('feed', (_feed: unknown, name: string | null) => names1.push(name))
    m2.on('feed', (_feed: unknown, name: string | null) => names2.push(name))
    const w1 = await writerWith(m1, 'local', ['foo'])
    const w2 = await writerWith(m2, 'local', ['bar'])
    assert.equal(m1.feeds(), [w1])
    const r = m1.replicate(true)
    const s = m2.replicate(false)
    const counts: number[] = []
    r.once('remote-feeds', () => counts.push(m1.feeds().length))
    s.once('remote-feeds', () => counts.push(m2.feeds().length))
    await pipe(r, s).done
    assert.equal(counts, [2, 2])
    assert.equal(names1, ['local', null])
    assert.equal(names2, ['local', null])
    assert.is(hex(m1.feeds()[1].key), hex(w2.key))
    assert.is(await m1.feeds()[1].get(0), 'bar')
    assert.is(await m2.feeds()[1].get(0), 'foo')
    assert.not.ok(m1.feeds()[1].writable)
  } finally {
    await t.run()
  }
})

test('a 1,000-block feed against a 10-block feed: both hold everything when the stream ends', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    await writerWith(
      m1,
      'big',
      Array.from({ length: 1000 }, () => 'foo'),
    )
    await writerWith(
      m2,
      'small',
      Array.from({ length: 10 }, () => 'bar'),
    )
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.equal(
      m1.feeds().map((f) => f.contiguousLength),
      [1000, 10],
    )
    assert.equal(
      m2.feeds().map((f) => f.contiguousLength),
      [10, 1000],
    )
    assert.is(await m1.feeds()[1].get(9, { wait: false }), 'bar')
    assert.is(await m2.feeds()[1].get(999, { wait: false }), 'foo')
  } finally {
    await t.run()
  }
})

test('replicate() before ready() works', async () => {
  const t = teardown()
  try {
    const dir1 = t.tmpDir()
    const dir2 = t.tmpDir()
    const before1 = new Multifeed<string>(dir1, { valueEncoding: 'utf-8' })
    await writerWith(before1, 'a', ['one'])
    await before1.close()
    const m1 = t.add(new Multifeed<string>(dir1, { valueEncoding: 'utf-8' }))
    const m2 = t.add(new Multifeed<string>(dir2, { valueEncoding: 'utf-8' }))
    assert.not.ok(m1.opened)
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.is(m2.feeds().length, 1)
    assert.is(await m2.feeds()[0].get(0), 'one')
  } finally {
    await t.run()
  }
})

test('replicating twice: the second exchange finishes too, with nothing new', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    await writerWith(m1, 'a', ['foo'])
    await writerWith(m2, 'b', ['bar'])
    for (let round = 0; round < 2; round++) {
      const r = m1.replicate(true)
      const s = m2.replicate(false)
      const seen = [onceEvent(r, 'remote-feeds'), onceEvent(s, 'remote-feeds')]
      await pipe(r, s).done
      await Promise.all(seen)
      assert.is(m1.feeds().length, 2)
      assert.is(m2.feeds().length, 2)
    }
    // data appended between exchanges arrives on the next one
    await (await m1.writer('a')).append('more')
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.is(await m2.feeds()[1].get(1, { wait: false }), 'more')
  } finally {
    await t.run()
  }
})

test('remote feeds are remembered: feeds() has the same order after a restart', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    const m1 = multifeed(t)
    await writerWith(m1, 'x', ['1'])
    await writerWith(m1, 'y', ['2'])
    const m2 = new Multifeed<string>(dir, { valueEncoding: 'utf-8' })
    await writerWith(m2, 'mine', ['3'])
    await pipe(m1.replicate(true), m2.replicate(false)).done
    const order = m2.feeds().map((f) => hex(f.key))
    assert.is(order.length, 3)
    await m2.close()
    const again = t.add(new Multifeed<string>(dir, { valueEncoding: 'utf-8' }))
    await again.ready()
    assert.equal(
      again.feeds().map((f) => hex(f.key)),
      order,
    )
    assert.is(await again.feeds()[2].get(0), '2')
  } finally {
    await t.run()
  }
})

test('live replication keeps going: later blocks and later writers arrive', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    const w1 = await writerWith(m1, 'local', ['foo'])
    await writerWith(m2, 'local', ['bar'])
    const r = m1.replicate(true, { live: true })
    const s = m2.replicate(false, { live: true })
    const outcome = pipe(r, s)
    t.add(() => settled(r, s))
    t.add(() => r.destroy())
    await eventually(() => m1.feeds().length === 2 && m2.feeds().length === 2)
    assert.is(await m1.feeds()[1].get(0), 'bar')
    assert.is(await m2.feeds()[1].get(0), 'foo')
    await w1.append('later')
    await eventually(() => m2.feeds()[1].contiguousLength === 2)
    const late = await writerWith(m1, 'late', ['late writer'])
    await eventually(() => m2.feed(late.key!))
    assert.is(await m2.feed(late.key!)!.get(0), 'late writer')
    assert.not.ok(r.destroyed, 'still open')
    assert.equal(outcome.errors, [[], []])
  } finally {
    await t.run()
  }
})

test('a new feed is announced on existing connections and spreads along a chain A-B-C', async () => {
  const t = teardown()
  try {
    const a = multifeed(t)
    const b = multifeed(t)
    const c = multifeed(t)
    const wa = await writerWith(a, 'local', ['First'])
    const wb = await writerWith(b, 'local', ['Second'])
    const wc = await writerWith(c, 'local', ['Third'])
    const ab = [a.replicate(true, { live: true }), b.replicate(false, { live: true })] as const
    const cb = [c.replicate(true, { live: true }), b.replicate(false, { live: true })] as const
    pipe(ab[0], ab[1])
    pipe(cb[0], cb[1])
    t.add(() => settled(ab[0], ab[1]))
    t.add(() => ab[0].destroy())
    t.add(() => settled(cb[0], cb[1]))
    t.add(() => cb[0].destroy())
    await eventually(() => a.feed(wc.key!) && c.feed(wa.key!), { timeout: 15_000 })
    assert.is(await a.feed(wb.key!)!.get(0), 'Second')
    assert.is(await a.feed(wc.key!)!.get(0), 'Third', "C's writer was forwarded to A through B")
    assert.is(await c.feed(wa.key!)!.get(0), 'First')
    // a writer made after the connections opened travels the chain too
    const later = await writerWith(c, 'later', ['Fourth'])
    await eventually(() => a.feed(later.key!), { timeout: 15_000 })
    assert.is(await a.feed(later.key!)!.get(0), 'Fourth')
    assert.is(a.feeds().length, 4)
  } finally {
    await t.run()
  }
})

test('the same custom encryption key on both sides replicates', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const m1 = multifeed(t, { encryptionKey: key })
    const m2 = multifeed(t, { encryptionKey: b4a.toString(key, 'hex') })
    await writerWith(m1, 'a', ['foo'])
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.is(await m2.feeds()[0].get(0), 'foo')
  } finally {
    await t.run()
  }
})

test('different root keys: no feeds cross and both streams end with KEY_MISMATCH, once', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t, { encryptionKey: crypto.randomBytes(32) })
    const m2 = multifeed(t) // the default key
    await writerWith(
      m1,
      'a',
      Array.from({ length: 100 }, () => 'foo'),
    )
    await writerWith(m2, 'b', ['bar'])
    const reported: string[] = []
    m1.on('extension-error', (err: { code: string }) => reported.push(err.code))
    m2.on('extension-error', (err: { code: string }) => reported.push(err.code))
    const r = m1.replicate(true)
    const s = m2.replicate(false)
    const outcome = pipe(r, s)
    await settled(r, s)
    const first = await outcome.done.then(
      () => null,
      (err: { code?: string }) => err.code,
    )
    assert.is(first, 'KEY_MISMATCH')
    const codes = outcome.errors.map((list) => list.map((e) => (e as { code?: string }).code))
    assert.equal(codes, [['KEY_MISMATCH'], ['KEY_MISMATCH']], 'one error on each stream')
    assert.ok(reported.includes('KEY_MISMATCH'))
    assert.is(m1.feeds().length, 1)
    assert.is(m2.feeds().length, 1)
  } finally {
    await t.run()
  }
})

test("the remote's handshake userData arrives as a 'handshake' event", async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    const got1 = once<[Uint8Array | null]>(m1, 'handshake')
    const got2 = once<[Uint8Array | null]>(m2, 'handshake')
    await pipe(m1.replicate(true, { userData: b4a.from('from m1') }), m2.replicate(false)).done
    const [userData2] = await got2
    const [userData1] = await got1
    assert.is(b4a.toString(userData2!), 'from m1')
    assert.is(userData1, null)
  } finally {
    await t.run()
  }
})

test('replicating over an existing replication stream (not live): it ends once in sync', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const m2 = multifeed(t)
    await writerWith(m1, 'a', ['foo'])
    await writerWith(m2, 'b', ['bar'])
    const p1 = t.add(new Store(t.tmpDir())).replicate(true)
    const p2 = t.add(new Store(t.tmpDir())).replicate(false)
    const r1 = m1.replicate(p1)
    const r2 = m2.replicate(p2)
    assert.is(r1, p1, 'the stream handed in is the stream returned')
    const seen = [onceEvent(r1, 'remote-feeds'), onceEvent(r2, 'remote-feeds')]
    await pipe(r1, r2).done
    await Promise.all(seen)
    assert.is(await m1.feeds()[1].get(0), 'bar')
    assert.is(await m2.feeds()[1].get(0), 'foo')
  } finally {
    await t.run()
  }
})

test('replicating over an existing replication stream (live), on the store the multifeed uses', async () => {
  const t = teardown()
  try {
    const store1 = t.add(new Store(t.tmpDir()))
    const store2 = t.add(new Store(t.tmpDir()))
    const m1 = t.add(new Multifeed<string>(store1, { valueEncoding: 'utf-8' }))
    const m2 = t.add(new Multifeed<string>(store2, { valueEncoding: 'utf-8' }))
    await writerWith(m1, 'a', ['foo'])
    await writerWith(m2, 'b', ['bar'])
    const p1 = store1.replicate(true)
    const p2 = store2.replicate(false)
    m1.replicate(p1, { live: true })
    m2.replicate(p2, { live: true })
    const outcome = pipe(p1, p2)
    t.add(() => settled(p1, p2))
    t.add(() => p1.destroy())
    await eventually(() => m1.feeds().length === 2 && m2.feeds().length === 2)
    assert.is(await m1.feeds()[1].get(0), 'bar')
    assert.is(await m2.feeds()[1].get(0), 'foo')
    const late = await writerWith(m2, 'late', ['late'])
    await eventually(() => m1.feed(late.key!))
    assert.is(await m1.feed(late.key!)!.get(0), 'late')
    assert.equal(outcome.errors, [[], []])
  } finally {
    await t.run()
  }
})

test('closing a multifeed ends the streams it made', async () => {
  const t = teardown()
  try {
    const m1 = new Multifeed(t.tmpDir())
    const m2 = multifeed(t)
    await m1.writer('a')
    const r = m1.replicate(true, { live: true })
    const s = m2.replicate(false, { live: true })
    pipe(r, s)
    await eventually(() => m2.feeds().length === 1)
    await m1.close()
    await settled(r, s)
  } finally {
    await t.run()
  }
})

test.run()
