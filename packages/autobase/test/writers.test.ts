import assert from 'node:assert/strict'
import BlindPairing from 'blind-pairing'
import { suite } from 'uvu'
import z32 from 'z32'
import { Store } from '@dat-sdk/store'
import {
  assertRejectsCode,
  assertThrowsCode,
  eventually,
  once,
  replicatePair,
  teardown,
} from '@dat-sdk/test-utils'
import { Base } from '../src/index.js'
import { dump, tempBase, writable } from './helpers.js'

const test = suite('writers')

const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const

test('a new base is writable by its creator; put/get/del on the default view', async () => {
  const t = teardown()
  try {
    const { base } = tempBase<string, string>(t, null, strings)
    await base.ready()
    assert.ok(base.writable)
    assert.equal(base.key?.byteLength, 32)
    assert.match(base.url!, /^hyper:\/\/[a-z0-9]{52}\/$/)
    await base.put('a', 'one')
    await base.put('b', 'two')
    assert.equal((await base.get('a'))?.value, 'one')
    await base.del('a')
    assert.equal(await base.get('a'), null)
    assert.deepEqual(await dump(base), ['b=two'])
    const writers = await base.writers()
    assert.equal(writers.length, 1)
    assert.deepEqual(writers[0].key, base.localKey)
  } finally {
    await t.run()
  }
})

test('an added writer writes; both peers hold the same view; a removed writer is ignored', async () => {
  const t = teardown()
  try {
    const { base: a, store: storeA } = tempBase<string, string>(t, null, strings)
    await a.ready()
    const { base: b } = tempBase<string, string>(t, a.key, strings)
    await b.ready()
    assert.equal(b.writable, false)
    await assertRejectsCode(b.put('x', 'y'), 'NOT_WRITABLE') // a reader cannot put
    const pair = replicatePair(a.autobase, b.autobase)
    t.add(() => pair.close())
    const became = new Promise<void>((resolve) => b.once('writable', () => resolve()))
    await a.addWriter(b.localKey!, { indexer: false })
    await became
    await writable(b)
    await Promise.all([a.put('from-a', '1'), b.put('from-b', '2')])
    await eventually(async () => {
      await Promise.all([a.update(), b.update()])
      const [da, db] = [await dump(a), await dump(b)]
      assert.deepEqual(da, ['from-a=1', 'from-b=2'])
      assert.deepEqual(db, da)
      return true
    })
    assert.equal((await a.writers()).length, 2)

    // b goes offline, a removes it, and b, not knowing yet, writes on. When they meet again,
    // both order b's later entry out. (b is a plain writer: with a the only indexer, the removal
    // is indexed the moment a writes it, so nothing b wrote without seeing it can come before it.
    // Were b an indexer too, its entry would be concurrent with the removal and could be
    // ordered either side of it: seen here, in 2 runs of 3.)
    await pair.close()
    await a.removeWriter(b.localKey!)
    assert.equal((await a.writers()).length, 1)
    await a.put('after', '3')
    assert.equal(b.writable, true, 'offline, b does not know it was removed')
    await b.put('late', 'b')
    const lateLength = b.autobase.local.length
    const gone = once(b, 'unwritable', 20_000)
    const again = replicatePair(a.autobase, b.autobase)
    t.add(() => again.close())
    await gone
    assert.equal(b.writable, false)
    // The sentinel: a holds b's later entry, so its view has had the chance to take it.
    const bAtA = t.add(storeA.get({ key: b.localKey! }))
    await bAtA.ready()
    await eventually(() => bAtA.has(lateLength - 1), { message: "a holds b's later entry" })
    const expected = ['after=3', 'from-a=1', 'from-b=2']
    await eventually(async () => {
      await Promise.all([a.update(), b.update()])
      assert.deepEqual(await dump(a), expected, "a ignores the removed writer's later entry")
      assert.deepEqual(await dump(b), expected, 'and so does b, once it knows')
      return true
    })
  } finally {
    await t.run()
  }
})

test('calls on a closed base reject with CLOSED', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const base = new Base<string, string>(store, null, strings)
    await base.ready()
    await base.close()
    await assertRejectsCode(base.put('a', 'b'), 'CLOSED')
    await assertRejectsCode(base.get('a'), 'CLOSED')
    await assertRejectsCode(base.update(), 'CLOSED')
    await assertRejectsCode(base.addWriter(new Uint8Array(32)), 'CLOSED')
    await assertRejectsCode(base.createInvite(), 'CLOSED')
    assert.ok(!store.closed, 'the store handed in stays open')
  } finally {
    await t.run()
  }
})

test('a made-up string is INVITE_INVALID at once; a bad URL is INVALID_KEY', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    await assertRejectsCode(
      t.add(new Base(store, 'not-an-invite-at-all')).ready(),
      'INVITE_INVALID',
    )
    await assertRejectsCode(t.add(new Base(store, 'hyper://xyz')).ready(), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

test('state errors carry codes: NOT_READY, NOT_SUPPORTED, NOT_WRITABLE', async () => {
  const t = teardown()
  try {
    const { base: a } = tempBase<string, string>(t, null, strings)
    assertThrowsCode(() => a.replicate(true), 'NOT_READY')
    await a.ready()
    await assertRejectsCode(a.append('x'), 'NOT_SUPPORTED') // append() is for a custom view
    await assertRejectsCode(a.createInvite(), 'NOT_SUPPORTED') // no swarm, no invites
    const { base: b } = tempBase<string, string>(t, a.key, strings)
    await b.ready()
    await assertRejectsCode(b.put('k', 'v'), 'NOT_WRITABLE')
    await assertRejectsCode(b.addWriter(a.localKey!), 'NOT_WRITABLE')
    // Joining by invite needs a swarm: refused at once.
    const store = t.add(Store.temp())
    const invite = z32.encode(BlindPairing.createInvite(a.key!).invite)
    assertThrowsCode(() => new Base(store, invite, strings), 'NOT_SUPPORTED')
  } finally {
    await t.run()
  }
})

test('update({ wait }) resolves whether the view changed, as Core / Drive / Bee do', async () => {
  const t = teardown()
  try {
    const { base: a } = tempBase<string, string>(t, null, strings)
    await a.ready()
    await a.put('before', '0')
    const { base: b } = tempBase<string, string>(t, a.key, strings)
    await b.ready()
    const pair = replicatePair(a.autobase, b.autobase)
    t.add(() => pair.close())
    // Once connected, a reader that waits for its peer sees the writer's entry when update()
    // resolves (as on a Core, { wait } waits for peers that are there, it does not find them).
    const remote = () => [...b.autobase.activeWriters].filter((w) => !w.core.writable)
    const connected = () => remote().length > 0 && remote().every((w) => w.core.peers.length > 0)
    await eventually(connected, { message: 'connected' })
    await b.update({ wait: true })
    assert.equal((await b.get('before'))?.value, '0', 'seen once update({ wait: true }) resolved')
    assert.equal(await b.update(), false, 'nothing new: false')
    assert.equal(await a.update({ wait: true }), false, 'the writer has nothing new either')

    let background = false
    b.once('update', () => (background = true))
    await a.put('after', '1')
    const changed = await b.update({ wait: true })
    assert.equal((await b.get('after'))?.value, '1')
    // true, unless b's view had already taken the entry in before update() was called.
    assert.equal(changed || background, true, 'the view changed')
    assert.equal(await b.update(), false)
  } finally {
    await t.run()
  }
})

test.run()
