import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import c from 'compact-encoding'
import { Store } from '@dat-sdk/store'
import { assertRejectsCode, assertThrowsCode, teardown, eventually } from '@dat-sdk/test-utils'
import { Bee, type BeeEntry, type BeeReadStream } from '@dat-sdk/bee-wrapper'

const test = suite('Bee on one store')

async function collect<T>(stream: BeeReadStream<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}

const keysOf = <K, V>(entries: Array<BeeEntry<K, V>>) => entries.map((e) => e.key)

interface Doc {
  title: string
  n: number
}

test('put and get, typed by utf-8 keys and json values; del; version counts blocks', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, Doc>(store, null, { keyEncoding: 'utf-8', valueEncoding: 'json' }),
    )
    await bee.ready()
    assert.ok(bee.writable)
    assert.ok(bee.readable)
    assert.is(bee.key?.byteLength, 32)
    assert.ok(bee.url?.startsWith('hyper://'))
    assert.is(bee.version, 1)
    await bee.put('a', { title: 'first', n: 1 })
    const got = await bee.get('a')
    assert.equal(got, { seq: 1, key: 'a', value: { title: 'first', n: 1 } })
    assert.is(bee.version, 2)
    assert.is(await bee.get('missing'), null)
    await bee.del('a')
    assert.is(await bee.get('a'), null)
    assert.is(bee.version, 3)
  } finally {
    await t.run()
  }
})

test('binary by default; a compact-encoding codec for values', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const raw = t.add(new Bee(store))
    await raw.put(Buffer.from('k'), Buffer.from([1, 2, 3]))
    const entry = await raw.get(Buffer.from('k'))
    assert.ok(entry?.key instanceof Uint8Array)
    assert.equal([...entry!.value], [1, 2, 3])

    const nums = t.add(
      new Bee<string, number>(store, null, { keyEncoding: 'utf-8', valueEncoding: c.uint }),
    )
    await nums.put('x', 300)
    assert.is((await nums.get('x'))?.value, 300)
  } finally {
    await t.run()
  }
})

test('ranges: gt/gte/lt/lte, reverse, limit, peek', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, null, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    const batch = bee.batch()
    for (const k of ['a', 'b', 'c', 'd', 'e']) await batch.put(k, k.toUpperCase())
    await batch.flush()
    assert.is(bee.version, 6, 'one header block and five entries')
    assert.equal(keysOf(await collect(bee.createReadStream())), ['a', 'b', 'c', 'd', 'e'])
    assert.equal(keysOf(await collect(bee.createReadStream({ gt: 'a', lte: 'c' }))), ['b', 'c'])
    assert.equal(keysOf(await collect(bee.createReadStream({ gte: 'b', lt: 'd' }))), ['b', 'c'])
    assert.equal(keysOf(await collect(bee.createReadStream({ reverse: true, limit: 2 }))), [
      'e',
      'd',
    ])
    assert.is((await bee.peek())?.key, 'a')
    assert.is((await bee.peek({ reverse: true }))?.value, 'E')
    assert.is(await bee.peek({ gt: 'e' }), null)
  } finally {
    await t.run()
  }
})

test('history, diff and checkout see earlier versions', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, null, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    await bee.put('a', '1')
    await bee.put('b', '2')
    const v = bee.version
    await bee.put('a', '3')
    await bee.del('b')

    const history = await collect(bee.createHistoryStream())
    assert.equal(
      history.map((h) => [h.type, h.key, h.value]),
      [
        ['put', 'a', '1'],
        ['put', 'b', '2'],
        ['put', 'a', '3'],
        ['del', 'b', null],
      ],
    )
    const diff = await collect(bee.createDiffStream(v))
    assert.equal(
      diff.map((d) => [d.left?.key ?? null, d.left?.value ?? null, d.right?.value ?? null]),
      [
        ['a', '3', '1'],
        [null, null, '2'],
      ],
    )
    const old = bee.checkout(v)
    assert.is((await old.get('a'))?.value, '1')
    assert.is((await old.get('b'))?.value, '2')
    assert.is(old.version, v)
    assert.is(old.key, bee.key)
    const snap = bee.snapshot()
    await bee.put('c', 'later')
    assert.is(await snap.get('c'), null, 'a snapshot does not see later writes')
    assert.is((await bee.get('c'))?.value, 'later')
    await old.close()
    await assertRejectsCode(old.get('a'), 'CLOSED')
    assert.is((await bee.get('a'))?.value, '3', 'closing a checkout leaves the bee open')
    assert.throws(() => snap.watch(), TypeError, 'a snapshot does not change: nothing to watch')
  } finally {
    await t.run()
  }
})

test('sub: its own keys and encodings under a prefix, bounded ranges, nested subs', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, null, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    const users = bee.sub('users')
    const counts = bee.sub<string, number>('counts', { valueEncoding: c.uint })
    await bee.put('top', 'level')
    await users.put('ann', 'Ann')
    await users.put('bob', 'Bob')
    await counts.put('ann', 7)
    assert.is((await users.get('ann'))?.value, 'Ann')
    assert.is((await counts.get('ann'))?.value, 7)
    assert.is(await bee.get('ann'), null, 'sub keys are not the parent keys')
    assert.equal(keysOf(await collect(users.createReadStream())), ['ann', 'bob'])
    assert.equal(keysOf(await collect(users.createReadStream({ gt: 'ann' }))), ['bob'])
    const nested = users.sub('admins')
    await nested.put('root', 'Root')
    assert.equal(keysOf(await collect(nested.createReadStream())), ['root'])
    // As in hyperbee, a sub's range holds its nested subs' keys (behind their prefix and separator).
    assert.equal(keysOf(await collect(users.createReadStream())), [
      'admins\u0000root',
      'ann',
      'bob',
    ])
    assert.equal(keysOf(await collect(users.createReadStream({ gt: 'admins\u0001' }))), [
      'ann',
      'bob',
    ])
    assert.is(bee.version, 6)
    const v = bee.version
    await users.put('cy', 'Cy')
    const old = users.checkout(v)
    assert.equal(
      keysOf(await collect(old.createReadStream())),
      ['admins\u0000root', 'ann', 'bob'],
      'a sub checkout keeps its bounds',
    )
    assert.equal(
      (await collect(users.createDiffStream(v))).map((d) => d.left?.key),
      ['cy'],
      'a sub diff sees only the sub',
    )
    await users.close()
    await assertRejectsCode(users.get('ann'), 'CLOSED')
    assert.is((await bee.get('top'))?.value, 'level', 'closing a sub leaves its bee open')
    assert.is((await counts.get('ann'))?.value, 7)
    await bee.close()
    await assertRejectsCode(counts.get('ann'), 'CLOSED')
  } finally {
    await t.run()
  }
})

test('watch yields after each change in range; on a sub, changes of the sub only', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, null, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    await bee.ready()
    const sub = bee.sub('s')
    const watcher = bee.watch({ gte: 'm', lt: 'n' })
    const subWatcher = sub.watch()
    const seen: string[] = []
    const subSeen: string[] = []
    const loop = (async () => {
      for await (const [current, previous] of watcher) {
        seen.push(`${(await current.get('m'))?.value}<-${(await previous.get('m'))?.value ?? null}`)
      }
    })()
    const subLoop = (async () => {
      for await (const [current] of subWatcher) {
        subSeen.push(keysOf(await collect(current.createReadStream())).join(','))
      }
    })()
    await watcher.ready()
    await subWatcher.ready()
    await bee.put('a', 'outside the range')
    await bee.put('m', 'one')
    await eventually(() => seen.length === 1)
    await sub.put('x', 'in the sub')
    await eventually(() => subSeen.length === 1)
    await bee.put('m', 'two')
    await eventually(() => seen.length === 2)
    assert.equal(seen, ['one<-null', 'two<-one'])
    assert.equal(subSeen, ['x'], 'writes outside the sub do not wake its watcher')
    await bee.close()
    await loop
    await subLoop
    assert.ok(watcher.closed && subWatcher.closed, 'watchers stop when the bee closes')
  } finally {
    await t.run()
  }
})

test('getAndWatch: the entry now, and an update on each change', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, null, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    await bee.put('k', 'v1')
    const w = await bee.getAndWatch('k')
    assert.is(w.node?.value, 'v1')
    const sub = bee.sub('s')
    await sub.put('k', 's1')
    const sw = await sub.getAndWatch('k')
    assert.is(sw.node?.key, 'k')
    assert.is(sw.node?.value, 's1')
    let updates = 0
    w.on('update', () => updates++)
    await bee.put('k', 'v2')
    await eventually(() => w.node?.value === 'v2')
    await sub.put('k', 's2')
    await eventually(() => sw.node?.value === 's2')
    assert.is(updates, 1)
    await w.close()
  } finally {
    await t.run()
  }
})

test('names: the same name the same bee across reopen; bees, cores and drives apart', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('bee-names')
    let store = new Store(dir)
    const bee = new Bee<string, string>(store, 'db', {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await bee.ready()
    await bee.put('a', 'kept')
    const key = bee.key!
    const core = store.get('db')
    await core.ready()
    assert.not.equal(core.key, key, "a bee named 'db' is not the core named 'db'")
    await core.close()
    await bee.close()
    await store.close()

    store = t.add(new Store(dir))
    const again = t.add(
      new Bee<string, string>(store, 'db', { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    await again.ready()
    assert.equal(again.key, key)
    assert.is((await again.get('a'))?.value, 'kept')
    const byUrl = t.add(
      new Bee<string, string>(store, again.url, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    await byUrl.ready()
    assert.ok(byUrl.writable, 'a named bee reopened by its URL is still writable')
    const fresh = t.add(new Bee(store))
    await fresh.ready()
    assert.not.equal(fresh.key, key)
  } finally {
    await t.run()
  }
})

test('closed and bad input: CLOSED, INVALID_KEY, TypeError', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = new Bee<string, string>(store, null, {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await bee.put('a', 'b')
    await bee.close()
    await bee.close()
    assert.ok(bee.closed)
    await assertRejectsCode(bee.get('a'), 'CLOSED')
    await assertRejectsCode(bee.put('a', 'c'), 'CLOSED')
    await assertRejectsCode(bee.del('a'), 'CLOSED')
    await assertRejectsCode(bee.peek(), 'CLOSED')
    await assertRejectsCode(bee.getAndWatch('a'), 'CLOSED')
    assertThrowsCode(() => bee.createReadStream(), 'CLOSED')
    assertThrowsCode(() => bee.checkout(1), 'CLOSED')
    assertThrowsCode(() => bee.sub('x'), 'CLOSED')
    assertThrowsCode(() => bee.peers(), 'CLOSED')
    assertThrowsCode(() => bee.registerExtension('x'), 'CLOSED')

    // Closed while a call waits for the open.
    const early = new Bee(store)
    const pending = early.get(Buffer.from('a'))
    await early.close()
    await assertRejectsCode(pending, 'CLOSED')

    assertThrowsCode(() => new Bee(store, 'hyper://example.com'), 'INVALID_KEY')
    assertThrowsCode(() => new Bee(store, 'hyper://xyz'), 'INVALID_KEY')
    assertThrowsCode(() => new Bee(store, './folder'), 'INVALID_KEY')
    assert.throws(() => new Bee({} as Store), TypeError)
    assert.throws(
      // @ts-expect-error an unknown encoding name is a type error too
      () => new Bee(store, null, { valueEncoding: 'yaml' }),
      TypeError,
    )
  } finally {
    await t.run()
  }
})

test.run()
