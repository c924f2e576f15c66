import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import b4a from 'b4a'
import {
  DEFAULT_WRITE_BUFFER_SIZE,
  Store,
  isCorestore,
  isStore,
  toHex,
  toURL,
  type Corestore,
} from '@dat-sdk/store'
import {
  eventually,
  replicatePair,
  teardown,
  type Teardown,
  assertRejectsCode,
} from '@dat-sdk/test-utils'

const test = suite('Store')
let t: Teardown
test.before.each(() => {
  t = teardown()
})
test.after.each(async () => {
  await t.run()
})

test('a name gives the same writable key after a restart', async () => {
  const dir = t.tmpDir()
  const first = new Store(dir)
  const core = first.get('log')
  await core.ready()
  assert.ok(core.writable)
  await core.append(b4a.from('hello'))
  const key = core.key!
  await first.close()

  const second = t.add(new Store(dir))
  const again = second.get({ name: 'log' })
  await again.ready()
  assert.equal(again.key, key)
  assert.ok(again.writable)
  assert.equal(await again.get(0), b4a.from('hello'))

  const byUrl = second.get(toURL(key))
  await byUrl.ready()
  assert.ok(byUrl.writable, 'a named core reopened by its URL is still writable')
  await byUrl.append(b4a.from('more'))
  assert.is(again.length, 2)
})

test('keyFor(name) predicts the key of a named core, in the root and in namespaces', async () => {
  const store = t.add(Store.temp())
  assert.is(store.keyFor('early'), null, 'null before the store has opened')
  await store.ready()
  const ns = store.namespace('app')
  await ns.ready()
  for (const [s, name] of [
    [store, 'log'],
    [store, 'default'],
    [ns, 'log'],
  ] as const) {
    const predicted = s.keyFor(name)
    const core = s.get(name)
    await core.ready()
    assert.equal(predicted, core.key, `${name}`)
  }
  assert.not.equal(store.keyFor('log'), ns.keyFor('log'))
  assert.throws(
    () => store.keyFor(''),
    (err: { code?: string }) => err.code === 'INVALID_KEY',
  )
})

test('every key spelling opens the same core', async () => {
  const store = t.add(Store.temp())
  const core = store.get('x')
  await core.ready()
  for (const ref of [core.key!, toHex(core.key!), toURL(core.key!), { key: toHex(core.key!) }]) {
    const s = store.get(ref)
    await s.ready()
    assert.equal(s.key, core.key)
  }
})

test('no ref gives a fresh writable core that stays writable after a restart', async () => {
  const dir = t.tmpDir()
  const first = new Store(dir)
  const a = first.get()
  const b = first.get(null)
  await Promise.all([a.ready(), b.ready()])
  assert.ok(a.writable && b.writable)
  assert.not.equal(a.key, b.key)
  await a.append(b4a.from('x'))
  const key = a.key!
  await first.close()
  const second = t.add(new Store(dir))
  const again = second.get(key)
  await again.ready()
  assert.ok(again.writable)
  assert.is(again.length, 1)
})

test('default() identifies the store and is stable', async () => {
  const dir = t.tmpDir()
  const first = new Store(dir)
  const d = first.default()
  await d.ready()
  const key = d.key!
  await first.close()
  const second = t.add(new Store(dir))
  const d2 = second.default()
  await d2.ready()
  assert.equal(d2.key, key)
})

test('namespaces keep names apart and list only their own cores', async () => {
  const store = t.add(Store.temp())
  const a = store.namespace('a')
  const b = store.namespace('b')
  const ca = a.get('same')
  const cb = b.get('same')
  const root = store.get('same')
  await Promise.all([ca.ready(), cb.ready(), root.ready()])
  assert.not.equal(ca.key, cb.key)
  assert.not.equal(ca.key, root.key)

  const inA = []
  for await (const c of a.list()) inA.push(toHex(c.key))
  assert.equal(inA, [toHex(ca.key!)])
  const all = []
  for await (const c of store.list()) all.push(toHex(c.key))
  assert.equal(all.sort(), [ca.key!, cb.key!, root.key!].map((k) => toHex(k)).sort())

  assert.is(store.cores().length, 3, 'cores() includes the namespaces')
  assert.is(a.cores().length, 1)
  await a.close()
  assert.ok(ca.closed, 'closing a namespace closes its cores')
  assert.not.ok(root.closed)
  assert.is(store.cores().length, 2)
})

test('the same namespace name gives the same keys after a restart', async () => {
  const dir = t.tmpDir()
  const first = new Store(dir)
  const c1 = first.namespace('app').get('feed')
  await c1.ready()
  const key = c1.key!
  await first.close()
  const second = t.add(new Store(dir))
  const c2 = second.namespace('app').get('feed')
  await c2.ready()
  assert.equal(c2.key, key)
})

test("'core' and 'core-close' fire once per core, across sessions and namespaces", async () => {
  const store = t.add(Store.temp())
  const opened: string[] = []
  const closed: string[] = []
  // 'core' fires once the core is ready, so its key is set (hypercore types it nullable before).
  store.on('core', (c) => opened.push(toHex(c.key!)))
  store.on('core-close', (c) => closed.push(toHex(c.key!)))
  const one = store.get('one')
  const again = store.get('one')
  const ns = store.namespace('n').get('two')
  await Promise.all([one.ready(), again.ready(), ns.ready()])
  await eventually(() => opened.length === 2)
  assert.equal(opened.sort(), [toHex(one.key!), toHex(ns.key!)].sort())
  await one.close()
  assert.equal(closed, [], 'another session of the core is still open')
  await again.close()
  await eventually(() => closed.length === 1)
  assert.equal(closed, [toHex(one.key!)])
  assert.equal(
    store.cores().map((c) => toHex(c.key!)),
    [toHex(ns.key!)],
  )
})

test('replicate() moves blocks between two stores', async () => {
  const a = t.add(Store.temp())
  const b = t.add(Store.temp())
  const writer = a.get('w')
  await writer.ready()
  await writer.append([b4a.from('one'), b4a.from('two')])
  const reader = b.get(writer.key!)
  await reader.ready()
  const pair = replicatePair(a, b)
  t.add(() => pair.close())
  assert.equal(await reader.get(1), b4a.from('two'))
  assert.is(reader.writable, false)
})

test('Store.temp() removes its directory on close, and close() is idempotent', async () => {
  const store = Store.temp()
  const core = store.get('x')
  await core.ready()
  const dir = store.directory!
  assert.ok(fs.existsSync(dir))
  await Promise.all([store.close(), store.close()])
  await store.close()
  assert.ok(store.closed)
  assert.ok(core.closed, 'the store closed the cores it opened')
  assert.not.ok(fs.existsSync(dir))
})

test('close() while opening waits for the open', async () => {
  const store = Store.temp()
  const closing = store.close()
  await closing
  assert.ok(store.closed)
  assert.not.ok(fs.existsSync(store.directory!))
})

test('calls on a closed store are CLOSED', async () => {
  const store = Store.temp()
  await store.close()
  let code = ''
  try {
    store.get('x')
  } catch (err) {
    code = (err as { code: string }).code
  }
  assert.is(code, 'CLOSED')
})

test('bad refs are INVALID_KEY', async () => {
  const store = t.add(Store.temp())
  for (const ref of ['hyper://xyz', new Uint8Array(3), 'hyper://example.com/', './folder', '']) {
    let code = ''
    try {
      store.get(ref)
    } catch (err) {
      code = (err as { code: string }).code
    }
    assert.is(code, 'INVALID_KEY', String(ref))
  }
})

test('a Corestore handed in is used as is and not closed', async () => {
  const owner = t.add(Store.temp())
  const store = new Store(owner.corestore)
  const core = store.get('shared')
  await core.ready()
  await store.close()
  assert.ok(core.closed)
  assert.not.ok(owner.corestore.closed, 'the given corestore stays open')
  const again = owner.get('shared')
  await again.ready()
  assert.equal(again.key, core.key)
})

/** How many RocksDB blob files (where flushed blocks of 4 KiB and more land) a store's directory holds. */
function blobFiles(dir: string): number {
  return fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.blob')).length
}

test('writeBufferSize: written blocks are flushed to disk once that many bytes are held (default 16 MiB, not 64)', async () => {
  const MiB = 1024 * 1024
  const dirs = { small: t.tmpDir(), standard: t.tmpDir(), large: t.tmpDir() }
  const stores = {
    small: t.add(new Store(dirs.small, { writeBufferSize: MiB })),
    standard: t.add(new Store(dirs.standard)),
    large: t.add(new Store(dirs.large, { writeBufferSize: 64 * MiB })),
  }
  // 24 MiB in 64 KiB blocks: more than the default buffer holds, less than hypercore-storage's.
  const block = b4a.alloc(64 * 1024, 7)
  for (const store of Object.values(stores)) {
    const core = store.get('big')
    await core.ready()
    for (let i = 0; i < 24; i++) await core.append(new Array<Uint8Array>(16).fill(block))
  }
  await eventually(() => blobFiles(dirs.small) > 0 && blobFiles(dirs.standard) > 0)
  assert.is(blobFiles(dirs.large), 0, 'a 64 MiB buffer still holds all 24 MiB in memory')
  assert.is(DEFAULT_WRITE_BUFFER_SIZE, 16 * MiB)
})

test('a bad writeBufferSize, or one with a Corestore handed in, is a TypeError', () => {
  for (const writeBufferSize of [0, -1, 1.5, 1024, Number.NaN]) {
    assert.throws(() => new Store(t.tmpDir(), { writeBufferSize }), /writeBufferSize/)
  }
  const owner = t.add(Store.temp())
  assert.throws(
    () => new Store(owner.corestore, { writeBufferSize: 1024 * 1024 }),
    /writeBufferSize is for a directory/,
  )
})

test('isStore and isCorestore tell the two apart by shape', async () => {
  const store = t.add(Store.temp())
  assert.ok(isStore(store))
  assert.ok(isStore(store.namespace('n')))
  assert.not.ok(isStore(store.corestore))
  assert.ok(isCorestore(store.corestore))
  assert.not.ok(isCorestore(store))
  for (const v of [null, undefined, 'dir', {}, { get() {} }]) {
    assert.not.ok(isStore(v))
    assert.not.ok(isCorestore(v))
  }
  assert.throws(() => new Store(store as unknown as Corestore), TypeError) // a Store, not a Corestore, on purpose
})

test('a second process opening the same directory gets STORAGE_LOCKED', async () => {
  const dir = t.tmpDir()
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, 'fixtures/hold-storage.mjs'), dir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const exited = new Promise((resolve) => child.once('exit', resolve))
  t.add(async () => {
    child.stdin.end()
    await exited
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve())
    child.once('exit', () => reject(new Error('the holder exited early')))
  })
  const second = new Store(dir)
  await assertRejectsCode(second.ready(), 'STORAGE_LOCKED')
  await second.close()

  const inProcess = t.add(new Store(t.tmpDir()))
  await inProcess.ready()
  const twin = new Store(inProcess.directory!)
  await assertRejectsCode(twin.ready(), 'STORAGE_LOCKED')
  await twin.close()
})

test.run()
