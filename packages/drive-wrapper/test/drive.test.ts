import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store, toHex, toURL } from '@dat-sdk/store'
import { eventually, teardown, rejectionCode } from '@dat-sdk/test-utils'
import { Drive, type DriveEntry } from '@dat-sdk/drive-wrapper'

const test = suite('Drive')

/**
 * How many sessions wait for the exclusive (writable) lock of `session`'s core: hypercore 11
 * keeps one mutex per core for its `exclusive: true` sessions (hyperdrive opens its db core so).
 */
function exclusiveWaiters(session: object): number {
  const core: unknown = Reflect.get(session, 'core')
  const mutex: unknown = core && typeof core === 'object' ? Reflect.get(core, 'exclusive') : null
  const queue: unknown = mutex && typeof mutex === 'object' ? Reflect.get(mutex, '_queue') : null
  if (!Array.isArray(queue)) throw new Error("hypercore's exclusive lock is not where it was")
  return queue.length
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of iterable) out.push(x)
  return out
}

test('a fresh drive is writable, has a key and a hyper:// url', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const drive = t.add(new Drive(store))
    await drive.ready()
    assert.ok(drive.writable)
    assert.ok(drive.readable)
    assert.is(drive.key!.byteLength, 32)
    assert.is(drive.discoveryKey!.byteLength, 32)
    assert.is(drive.url, toURL(drive.key!))
    assert.is(drive.hyperdrive.key, drive.key)
    const other = t.add(new Drive(store, null))
    await other.ready()
    assert.is.not(toHex(other.key!), toHex(drive.key!), 'two fresh drives differ')
  } finally {
    await t.run()
  }
})

test('put/get, readFile/writeFile with encodings, exists, entry, del', async () => {
  const t = teardown()
  try {
    const drive = t.add(new Drive(t.add(Store.temp())))
    let appends = 0
    drive.on('append', () => appends++)
    await drive.put('/a.txt', 'hello')
    assert.ok(appends > 0, "'append' fires when the drive gets a new version")
    assert.is(Buffer.from((await drive.get('/a.txt'))!).toString(), 'hello')
    assert.is(await drive.readFile('/a.txt', 'utf-8'), 'hello')
    assert.instance(await drive.readFile('/a.txt'), Uint8Array)

    await drive.writeFile('/doc.json', { n: 1, list: ['x'] }, 'json')
    assert.equal(await drive.readFile('/doc.json', 'json'), { n: 1, list: ['x'] })
    await drive.writeFile('/raw', new Uint8Array([0, 255]))
    assert.equal([...(await drive.readFile('/raw'))!], [0, 255])

    assert.ok(await drive.exists('/a.txt'))
    assert.not.ok(await drive.exists('/missing'))
    assert.is(await drive.get('/missing'), null)
    assert.is(await drive.readFile('/missing', 'utf-8'), null)

    const entry = (await drive.entry('/a.txt')) as DriveEntry
    assert.is(entry.key, '/a.txt')
    assert.is(entry.value.blob!.byteLength, 5)
    assert.is(entry.value.linkname, null)
    assert.not.ok(entry.value.executable)

    await drive.put('/run.sh', '#!/bin/sh', { executable: true })
    assert.ok((await drive.entry('/run.sh'))!.value.executable)

    const before = drive.version
    await drive.del('/a.txt')
    assert.ok(drive.version > before)
    assert.not.ok(await drive.exists('/a.txt'))
  } finally {
    await t.run()
  }
})

test('readFile of bytes that do not decode is BAD_MESSAGE', async () => {
  const t = teardown()
  try {
    const drive = t.add(new Drive(t.add(Store.temp())))
    await drive.put('/not.json', '{ nope')
    await drive.put('/not-utf8', new Uint8Array([0xff, 0xfe, 0xfd]))
    assert.is(await rejectionCode(drive.readFile('/not.json', 'json')), 'BAD_MESSAGE')
    assert.is(await rejectionCode(drive.readFile('/not-utf8', 'utf-8')), 'BAD_MESSAGE')
  } finally {
    await t.run()
  }
})

test('list (recursive or not), readdir, and streams in and out', async () => {
  const t = teardown()
  try {
    const drive = t.add(new Drive(t.add(Store.temp())))
    await drive.put('/top.txt', 'top')
    await drive.put('/dir/one.txt', '1')
    await drive.put('/dir/sub/two.txt', '2')

    const all = (await collect(drive.list('/'))).map((e) => e.key)
    assert.equal(all.sort(), ['/dir/one.txt', '/dir/sub/two.txt', '/top.txt'])
    const inDir = (await collect(drive.list('/dir'))).map((e) => e.key)
    assert.equal(inDir.sort(), ['/dir/one.txt', '/dir/sub/two.txt'])
    const shallow = (await collect(drive.list('/dir', { recursive: false }))).map((e) => e.key)
    assert.equal(shallow, ['/dir/one.txt'])
    assert.equal((await collect(drive.readdir('/'))).sort(), ['dir', 'top.txt'])
    assert.equal((await collect(drive.readdir('/dir'))).sort(), ['one.txt', 'sub'])

    const big = Buffer.alloc(200_000, 7)
    const ws = drive.createWriteStream('/big.bin')
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject)
      ws.on('close', () => resolve())
      ws.write(big.subarray(0, 100_000))
      ws.end(big.subarray(100_000))
    })
    const chunks = await collect(drive.createReadStream('/big.bin'))
    assert.ok(Buffer.concat(chunks).equals(big))
    const part = await collect(drive.createReadStream('/big.bin', { start: 10, length: 5 }))
    assert.is(Buffer.concat(part).length, 5)
  } finally {
    await t.run()
  }
})

test('checkout and diff see old versions; watch sees new ones', async () => {
  const t = teardown()
  try {
    const drive = t.add(new Drive(t.add(Store.temp())))
    await drive.put('/a', 'one')
    const v1 = drive.version
    await drive.put('/a', 'two')
    await drive.put('/b', 'new')

    const old = t.add(drive.checkout(v1))
    assert.is(await old.readFile('/a', 'utf-8'), 'one')
    assert.not.ok(await old.exists('/b'))
    assert.is(old.version, v1)
    assert.is(await drive.readFile('/a', 'utf-8'), 'two')

    const changes = await collect(drive.diff(v1))
    const keys = changes.map((c) => (c.left ?? c.right)!.key).sort()
    assert.equal(keys, ['/a', '/b'])
    const added = changes.find((c) => c.left?.key === '/b')!
    assert.is(added.right, null)

    const watcher = drive.watch('/')
    t.add(() => watcher.destroy())
    await watcher.ready()
    const next = watcher.next()
    await drive.put('/c', 'later')
    const { value } = await next
    const [current, previous] = value as [typeof drive.hyperdrive, typeof drive.hyperdrive]
    assert.ok(current.version > previous.version)
    assert.ok(await current.exists('/c'))

    await old.close()
    assert.ok(old.hyperdrive.closed, 'a checkout closes the snapshot it was made for')
    assert.ok(drive.opened && !drive.closing, 'closing a checkout leaves its drive open')
    assert.is(await drive.readFile('/c', 'utf-8'), 'later')

    // A snapshot handed in by the caller is the caller's: the Drive around it leaves it open.
    const snapshot = drive.hyperdrive.checkout(v1)
    t.add(() => snapshot.close())
    const wrapped = new Drive(snapshot)
    assert.is(await wrapped.readFile('/a', 'utf-8'), 'one')
    await wrapped.close()
    assert.not.ok(snapshot.closed, 'what is handed in is not closed')
    assert.ok(await snapshot.exists('/a'))
  } finally {
    await t.run()
  }
})

test('a named drive has the same key across restarts and stays writable; a key reopens it', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('named')
    let store = new Store(dir)
    let drive = new Drive(store, 'photos')
    await drive.ready()
    const key = drive.key!
    await drive.put('/x', 'x')
    const fresh = new Drive(store)
    await fresh.ready()
    const freshKey = fresh.key!
    await fresh.put('/y', 'y')
    const core = store.get({ name: 'photos' })
    await core.ready()
    assert.is.not(toHex(core.key!), toHex(key), 'a named drive is not the named core')
    await core.close()
    await fresh.close()
    await drive.close()
    assert.not.ok(store.closing, 'closing a drive leaves the store open')
    await store.close()

    store = t.add(new Store(dir))
    drive = t.add(new Drive(store, 'photos'))
    await drive.ready()
    assert.is(toHex(drive.key!), toHex(key))
    assert.ok(drive.writable)
    assert.is(await drive.readFile('/x', 'utf-8'), 'x')
    const other = t.add(new Drive(store, 'other'))
    await other.ready()
    assert.is.not(toHex(other.key!), toHex(key))

    const byUrl = t.add(new Drive(store, toURL(freshKey)))
    await byUrl.ready()
    assert.ok(byUrl.writable, 'a fresh drive reopened by its url is still writable')
    assert.is(await byUrl.readFile('/y', 'utf-8'), 'y')
    await byUrl.put('/z', 'z')
  } finally {
    await t.run()
  }
})

test('a folder ref opens the drive named in <folder>/.dat, or a fresh one', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const named = new Drive(store, 'somewhere')
    await named.ready()
    const url = named.url!
    await named.close()
    const folder = t.tmpDir('folder-ref')
    const empty = t.add(new Drive(store, folder))
    await empty.ready()
    assert.ok(empty.writable)
    assert.is(empty.folder, folder)
    assert.is.not(empty.url, url)

    fs.writeFileSync(path.join(folder, '.dat'), url + '\n')
    const again = new Drive(store, folder)
    await again.ready()
    assert.is(again.url, url)
    assert.ok(again.writable)
    await again.close()

    const rel = path.relative(process.cwd(), folder)
    const relative = t.add(new Drive(store, rel.startsWith('.') ? rel : './' + rel))
    await relative.ready()
    assert.is(relative.url, url)

    fs.writeFileSync(path.join(folder, '.dat'), 'not a url')
    assert.is(await rejectionCode(() => new Drive(store, folder)), 'INVALID_KEY')
  } finally {
    await t.run()
  }
})

test('a second Drive of one writable drive in one store opens once the first closes', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const first = new Drive(store, 'shared')
    await first.ready()
    await first.put('/a', 'from first')
    const second = t.add(new Drive(store, first.key))
    let opened = false
    const opening = second.ready().then(() => (opened = true))
    // The sentinel: the second's db session waits in the core's exclusive lock, where nothing
    // but the first's close lets it through (or it opened, which is the failure).
    await eventually(() => opened || exclusiveWaiters(first.hyperdrive.core) === 1, {
      message: 'the second Drive neither opened nor queued for the db core',
    })
    assert.not.ok(opened, 'hyperdrive takes the db core exclusively while it can write')
    await first.close()
    await opening
    assert.ok(second.writable)
    assert.is(await second.readFile('/a', 'utf-8'), 'from first')
  } finally {
    await t.run()
  }
})

test('bad refs are INVALID_KEY; a domain must be resolved first', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    assert.is(await rejectionCode(() => new Drive(store, 'hyper://example.com/')), 'INVALID_KEY')
    assert.is(await rejectionCode(() => new Drive(store, 'hyper://xyz')), 'INVALID_KEY')
    assert.is(await rejectionCode(() => new Drive(store, new Uint8Array(5))), 'INVALID_KEY')
    assert.throws(() => new Drive({} as Store), TypeError)
  } finally {
    await t.run()
  }
})

test('new Drive(hyperdrive) wraps one without closing it; a Corestore works as a store', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const owner = t.add(new Drive(store.corestore))
    await owner.put('/f', 'data')
    const wrapped = new Drive(owner.hyperdrive)
    await wrapped.ready()
    assert.is(toHex(wrapped.key!), toHex(owner.key!))
    assert.is(await wrapped.readFile('/f', 'utf-8'), 'data')
    await wrapped.close()
    assert.not.ok(owner.hyperdrive.closing, 'the handed-in hyperdrive stays open')
    assert.is(await owner.readFile('/f', 'utf-8'), 'data')
  } finally {
    await t.run()
  }
})

test('calls on a closed drive are CLOSED; close is idempotent', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const drive = new Drive(store)
    await drive.put('/a', 'a')
    const closing = drive.close()
    assert.is(drive.close(), closing)
    await closing
    assert.ok(drive.closed)
    assert.is(await rejectionCode(drive.get('/a')), 'CLOSED')
    assert.is(await rejectionCode(drive.put('/b', 'b')), 'CLOSED')
    assert.is(await rejectionCode(drive.exists('/a')), 'CLOSED')
    assert.is(await rejectionCode(() => drive.list('/')), 'CLOSED')
    assert.is(await rejectionCode(() => drive.peers()), 'CLOSED')
    assert.is(await rejectionCode(() => drive.syncFolder(t.tmpDir())), 'CLOSED')

    const early = new Drive(store)
    await early.close()
    assert.ok(early.closed, 'close() while opening waits for the open')
  } finally {
    await t.run()
  }
})

test.run()
