// The seed record: its codec (round trip, bad input, fuzz) and the Hyperbee it is kept in, which
// must bring every record back after the store is closed and opened again.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { Store, layout, toHex } from '@dat-sdk/store'
import {
  assertRejectsCode,
  assertThrowsCode,
  codeOf,
  filesHolding,
  fuzzParams,
  makeTmpDir,
  mutated,
  removeDir,
} from '@dat-sdk/test-utils'
import Hyperbee from 'hyperbee'
import {
  SEED_KINDS,
  SeedRecords,
  decodeRecord,
  encodeRecord,
  type SeedRecord,
} from '@dat-sdk/seeding'

const key = (n: number) => new Uint8Array(32).fill(n)

/** A record with its keys as hex: decoded keys are Buffers, these are Uint8Arrays. */
const norm = (r: SeedRecord | null) =>
  r && {
    ...r,
    key: toHex(r.key),
    encryptionKey: r.encryptionKey && toHex(r.encryptionKey),
    blindPeers: r.blindPeers && r.blindPeers.map(toHex),
  }

const records: SeedRecord[] = [
  { kind: 'core', key: key(1), encryptionKey: null, blindPeers: null, download: true },
  {
    kind: 'drive',
    key: key(2),
    encryptionKey: key(9),
    blindPeers: [key(7), key(8)],
    download: true,
  },
  { kind: 'bee', key: key(3), encryptionKey: null, blindPeers: [], download: false },
  { kind: 'autobase', key: key(4), encryptionKey: key(5), blindPeers: null, download: true },
]

test('every kind of record round-trips', () => {
  for (const r of records) assert.equal(norm(decodeRecord(encodeRecord(r))), norm(r))
})

test('bad bytes are BAD_MESSAGE: empty, truncated, unknown version, kind or flags, trailing bytes', () => {
  const good = encodeRecord(records[1])
  const bad = [
    new Uint8Array(0),
    good.subarray(0, good.byteLength - 1),
    Uint8Array.from([2, ...good.subarray(1)]),
    Uint8Array.from([1, 0, 9, ...key(1)]),
    Uint8Array.from([1, 64, 0, ...key(1)]),
    Uint8Array.from([...good, 0]),
  ]
  for (const bytes of bad) assertThrowsCode(() => decodeRecord(bytes), 'BAD_MESSAGE')
})

test('fuzz: random and mutated records decode or give BAD_MESSAGE, nothing else', () => {
  const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
  const arbRecord = fc.record({
    kind: fc.constantFrom(...SEED_KINDS),
    key: key32,
    encryptionKey: fc.option(key32),
    blindPeers: fc.option(fc.array(key32, { maxLength: 4 })),
    download: fc.boolean(),
  })
  fc.assert(
    fc.property(arbRecord, (record) => {
      assert.equal(norm(decodeRecord(encodeRecord(record))), norm(record))
    }),
    fuzzParams('seed record round trip'),
  )
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated(arbRecord.map(encodeRecord)))
  fc.assert(
    fc.property(bytes, (b) => {
      const code = codeOf(() => decodeRecord(b))
      assert.ok(code === 'no error' || code === 'BAD_MESSAGE', code)
    }),
    fuzzParams('seed record decoder'),
  )
})

test('records survive closing and opening the store again; delete forgets one', async () => {
  const dir = makeTmpDir()
  try {
    let store = new Store(dir)
    let db = new SeedRecords(store)
    for (const r of records) await db.put(r)
    assert.is(await db.delete(key(3)), true)
    assert.is(await db.delete(key(3)), false)
    await db.close()
    await store.close()

    store = new Store(dir)
    db = new SeedRecords(store)
    const back = await db.list()
    assert.equal(
      back.map((r) => r.kind),
      ['core', 'drive', 'autobase'],
    )
    assert.equal(norm(await db.get(key(2))), norm(records[1]))
    await db.close()
    await store.close()
  } finally {
    await removeDir(dir)
  }
})

test('close() lets the calls made before it finish: their records are there after a restart', async () => {
  const dir = makeTmpDir()
  try {
    let store = new Store(dir)
    let db = new SeedRecords(store)
    await db.put(records[0])
    // Four puts, a delete and a read under way when close() is called.
    const puts = records.slice(1).map((r) => db.put(r))
    const deleted = db.delete(records[0].key)
    const read = db.get(records[2].key)
    const closing = db.close()
    await Promise.all(puts)
    assert.is(await deleted, true)
    assert.equal(norm(await read), norm(records[2]))
    await closing
    await assertRejectsCode(db.put(records[0]), 'CLOSED')
    await assertRejectsCode(db.list(), 'CLOSED')
    await store.close()

    store = new Store(dir)
    db = new SeedRecords(store)
    assert.equal(
      (await db.list()).map((r) => r.kind),
      ['drive', 'bee', 'autobase'],
    )
    await db.close()
    await store.close()
  } finally {
    await removeDir(dir)
  }
})

test('records put together are written together: 200 puts, a few appends of the records core', async () => {
  const store = Store.temp()
  try {
    const db = new SeedRecords(store)
    await db.put(records[0])
    // The records core (a session of the test's own: the records close theirs when idle), which
    // holds the bee's header and the first record.
    const core = store.namespace(layout.seeding).get({ name: layout.seedRecords })
    await core.ready()
    assert.ok(core.length >= 2, 'the records core holds the first record')
    const before = core.length
    let appends = 0
    core.on('append', () => appends++)
    const many = Array.from({ length: 200 }, (_, i) => ({ ...records[0], key: key(i + 10) }))
    await Promise.all(many.map((r) => db.put(r)))
    assert.is(core.length, before + 200)
    assert.ok(appends >= 1 && appends <= 3, `${appends} appends for 200 records`)
    assert.is((await db.list()).length, 201)
    // A put and a delete made together: the delete comes after the put, and wins.
    const put = db.put(records[2])
    assert.is(await db.delete(records[2].key), true)
    await put
    assert.is(await db.get(records[2].key), null)
    await db.close()
  } finally {
    await store.close()
  }
})

test('the records core is encrypted at rest; a plain bee beside it shows the check can find a key', async () => {
  const dir = makeTmpDir()
  try {
    const store = new Store(dir)
    const db = new SeedRecords(store)
    const secret = new TextEncoder().encode('SECRET-KEY-0123456789-abcdefghij') // 32 bytes
    const plain = new TextEncoder().encode('PLAIN--KEY-0123456789-abcdefghij')
    await db.put({
      kind: 'drive',
      key: key(6),
      encryptionKey: secret,
      blindPeers: null,
      download: true,
    })
    // The control: the same record in an unencrypted bee of the same store.
    const control = new Hyperbee<Uint8Array, Uint8Array>(store.get({ name: 'control' }))
    await control.put(key(6), encodeRecord({ ...records[1], encryptionKey: plain }))
    await control.close()
    await db.close()
    await store.close()
    assert.is(filesHolding(dir, plain).length, 1, 'the control finds the plain key on disk')
    assert.is(filesHolding(dir, secret).length, 0, 'the record key is not on disk in the clear')
  } finally {
    await removeDir(dir)
  }
})

test.run()
