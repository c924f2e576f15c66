import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { Store } from '@dat-sdk/store'
import { teardown, assertRejectsCode, assertThrowsCode } from '@dat-sdk/test-utils'
import { Multifeed } from '@dat-sdk/multifeed'

const test = suite('multifeed: writers, feeds, storage and lifecycle')

const hex = (key: Uint8Array | null) => b4a.toString(key!, 'hex')

test('a new multifeed has no feeds', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed(t.tmpDir()))
    assert.equal(multi.feeds(), [])
    await multi.ready()
    assert.equal(multi.feeds(), [])
    assert.ok(multi.opened)
  } finally {
    await t.run()
  }
})

test('writer() makes a writable feed that feeds() lists', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed<unknown>(t.tmpDir(), { valueEncoding: 'json' }))
    const w = await multi.writer()
    assert.ok(w.writable)
    await w.append({ says: 'foo' })
    assert.equal(await w.get(0), { says: 'foo' })
    assert.equal(multi.feeds(), [w])
  } finally {
    await t.run()
  }
})

test('feed(key) finds a feed by bytes or hex, undefined for an unknown key', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed(t.tmpDir()))
    const w = await multi.writer()
    assert.is(multi.feed(w.key!), w)
    assert.is(multi.feed(hex(w.key)), w)
    assert.is(multi.feed(hex(w.key).toUpperCase()), w)
    assert.is(multi.feed(b4a.alloc(32, 1)), undefined)
    assertThrowsCode(() => multi.feed('not a key'), 'INVALID_KEY')
    assertThrowsCode(() => multi.feed(b4a.alloc(31)), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

test('writer(name) gives the same local feed for the same name, another for another', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed(t.tmpDir()))
    const bob = await multi.writer('bob')
    assert.is(await multi.writer('bob'), bob)
    const alice = await multi.writer('alice')
    assert.is.not(hex(alice.key), hex(bob.key))
    assert.equal(multi.feeds(), [bob, alice])
  } finally {
    await t.run()
  }
})

test('concurrent writer() calls for one name give one feed', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed(t.tmpDir()))
    const many = await Promise.all([1, 2, 3, 4].map(() => multi.writer('minuette')))
    for (const w of many) assert.is(w, many[0])
    assert.is(multi.feeds().length, 1)
  } finally {
    await t.run()
  }
})

test('a writer asked for before ready() is not listed when ready() resolves', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed(t.tmpDir()))
    const writer = multi.writer('minuette')
    await multi.ready()
    assert.is(multi.feeds().length, 0)
    assert.ok((await writer).key)
    assert.is(multi.feeds().length, 1)
  } finally {
    await t.run()
  }
})

test('a name gives the same writable feed after reopening, and feeds() keeps its order', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    const first = new Multifeed<string>(dir, { valueEncoding: 'utf-8' })
    const a = await first.writer('a')
    const b = await first.writer('b')
    await a.append('from a')
    const keys = first.feeds().map((f) => hex(f.key))
    await first.close()

    const again = t.add(new Multifeed<string>(dir, { valueEncoding: 'utf-8' }))
    const loaded: Array<[string, string | null]> = []
    // A feed is announced once ready, so its key is set (hypercore types it nullable before ready).
    again.on('feed', (feed, name) => loaded.push([hex(feed.key!), name]))
    await again.ready()
    assert.equal(
      again.feeds().map((f) => hex(f.key)),
      keys,
    )
    assert.equal(loaded, [
      [keys[0], 'a'],
      [keys[1], 'b'],
    ])
    const a2 = await again.writer('a')
    assert.is(hex(a2.key), hex(a.key))
    assert.ok(a2.writable)
    assert.is(await a2.get(0), 'from a')
    await a2.append('again')
    assert.is(hex((await again.writer('b')).key), hex(b.key))
    assert.is(again.feeds().length, 2)
  } finally {
    await t.run()
  }
})

test('writer(name, { keyPair }) signs with that key pair, and keeps it across restarts', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    const keyPair = crypto.keyPair()
    const first = new Multifeed<string>(dir, { valueEncoding: 'utf-8' })
    const w = await first.writer('moose', { keyPair })
    // hypercore 11: the feed's key is the hash of a manifest naming this public key as signer
    assert.is(hex(w.keyPair!.publicKey), hex(keyPair.publicKey))
    assert.ok(w.writable)
    await w.append('foo')
    assert.equal(first.feeds(), [w])
    await first.close()

    const again = t.add(new Multifeed<string>(dir, { valueEncoding: 'utf-8' }))
    const w2 = await again.writer('moose')
    assert.is(hex(w2.key), hex(w.key))
    assert.is(hex(w2.keyPair!.publicKey), hex(keyPair.publicKey))
    assert.ok(w2.writable, 'still writable without being given the key pair again')
    await w2.append('bar')
    assert.is(await w2.get(1), 'bar')
  } finally {
    await t.run()
  }
})

test('replicate() wants a boolean or a replication stream', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed(t.tmpDir()))
    assert.throws(() => multi.replicate(undefined as unknown as boolean), TypeError) // wrong type on purpose: runtime TypeError
    assert.throws(() => multi.replicate({} as unknown as boolean), TypeError) // wrong type on purpose: runtime TypeError
  } finally {
    await t.run()
  }
})

test('close() closes the feeds, sets closed, and later calls are CLOSED', async () => {
  const t = teardown()
  try {
    const multi = new Multifeed(t.tmpDir())
    const w = await multi.writer('minuette')
    await multi.close()
    assert.ok(multi.closed)
    assert.ok(w.closed, 'the writer is closed')
    assert.equal(multi.feeds(), [])
    await assertRejectsCode(multi.writer('x'), 'CLOSED')
    assertThrowsCode(() => multi.replicate(true), 'CLOSED')
  } finally {
    await t.run()
  }
})

test('close() twice, concurrently and after, is fine', async () => {
  const t = teardown()
  try {
    const multi = new Multifeed(t.tmpDir())
    const w = await multi.writer('default')
    await w.append(b4a.from('some data'))
    const first = multi.close()
    assert.is(multi.closed, false, 'not closed yet')
    const second = multi.close()
    await Promise.all([first, second])
    assert.ok(multi.closed)
    await multi.close()
  } finally {
    await t.run()
  }
})

test('close() while opening waits for the open', async () => {
  const t = teardown()
  try {
    const multi = new Multifeed(t.tmpDir())
    await multi.close()
    assert.ok(multi.closed)
  } finally {
    await t.run()
  }
})

test('open, write, close twice on one directory (close after a double open)', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    for (let i = 0; i < 2; i++) {
      const multi = new Multifeed<unknown>(dir, { valueEncoding: 'json' })
      const w = await multi.writer('minuette')
      await w.append({ type: 'node', i })
      assert.is(w.length, i + 1)
      await multi.close()
    }
  } finally {
    await t.run()
  }
})

test('a directory open in another multifeed is STORAGE_LOCKED', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    const first = t.add(new Multifeed(dir))
    await first.ready()
    const second = new Multifeed(dir)
    await assertRejectsCode(second.ready(), 'STORAGE_LOCKED')
    await second.close().catch(() => {})
  } finally {
    await t.run()
  }
})

test('a Store or a Corestore handed in is used and left open', async () => {
  const t = teardown()
  try {
    const store = t.add(new Store(t.tmpDir()))
    const multi = new Multifeed(store)
    const w = await multi.writer('x')
    await w.append(b4a.from('x'))
    await multi.close()
    assert.not.ok(store.closing, 'the Store is still open')
    const again = new Multifeed(store)
    assert.is(hex((await again.writer('x')).key), hex(w.key))
    await again.close()

    const corestore = store.corestore
    const onCorestore = new Multifeed(corestore)
    assert.is(
      hex((await onCorestore.writer('x')).key),
      hex(w.key),
      'the same storage, the same feed',
    )
    await onCorestore.close()
    assert.not.ok(corestore.closing, 'the Corestore is still open')
  } finally {
    await t.run()
  }
})

test('the encryption key is never written to disk', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir()
    const key = crypto.randomBytes(32)
    const multi = new Multifeed<unknown>(dir, { encryptionKey: key, valueEncoding: 'json' })
    const w = await multi.writer()
    await w.append('foo')
    await multi.close()
    const needles = [b4a.from(key), b4a.from(hex(key)), b4a.from(hex(key).toUpperCase())]
    let files = 0
    for (const file of walk(dir)) {
      files++
      const bytes = fs.readFileSync(file)
      for (const needle of needles) assert.is(bytes.indexOf(needle), -1, `found in ${file}`)
    }
    assert.ok(files > 0, 'the storage has files to search')
  } finally {
    await t.run()
  }
})

test('a custom encryption key is accepted in any key spelling; a malformed one is INVALID_KEY', async () => {
  const t = teardown()
  try {
    const key = crypto.randomBytes(32)
    const a = t.add(new Multifeed(t.tmpDir(), { encryptionKey: key }))
    const b = t.add(new Multifeed(t.tmpDir(), { encryptionKey: hex(key) }))
    assert.ok(b4a.equals(a.discoveryKey, b.discoveryKey))
    const c = t.add(new Multifeed(t.tmpDir()))
    assert.not.ok(b4a.equals(a.discoveryKey, c.discoveryKey), 'the default key is another key')
    assertThrowsCode(() => new Multifeed(t.tmpDir(), { encryptionKey: 'short' }), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(full)
    else if (entry.isFile()) yield full
  }
}

test.run()
