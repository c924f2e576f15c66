import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import Corestore from 'corestore'
import { sleep, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Multifeed } from '@dat-sdk/multifeed'
import { pipe } from './sync.js'

const test = suite('multifeed: slow storage')

// hypercore 11 stores in RocksDB, which takes no latency option: this adds `delay` ms to every
// core open and every write flush of a real Corestore's storage (random-access-latency's role).
const SLOW_OPS = ['getSeed', 'getAlias', 'hasCore', 'getAuth', 'resumeCore', 'createCore']

type AnyFn = (...args: unknown[]) => unknown

function slowCorestore(t: Teardown, delay: number): Corestore {
  const corestore = new Corestore(t.tmpDir('slow'))
  // corestore's storage (hypercore-storage) is internal: our declaration leaves it out on purpose.
  const storage = (corestore as unknown as { storage: Record<string, AnyFn> }).storage
  for (const op of SLOW_OPS) {
    const original = storage[op].bind(storage)
    storage[op] = async (...args: unknown[]) => {
      await sleep(delay)
      const result = await original(...args)
      if (op === 'resumeCore' || op === 'createCore') slowWrites(result, delay)
      return result
    }
  }
  t.add(corestore)
  return corestore
}

function slowWrites(coreStorage: unknown, delay: number): void {
  if (!coreStorage || typeof coreStorage !== 'object') return
  const s = coreStorage as { write: () => { flush: AnyFn } }
  const write = s.write.bind(s)
  s.write = () => {
    const tx = write()
    const flush = tx.flush.bind(tx)
    tx.flush = async (...args: unknown[]) => {
      await sleep(delay)
      return flush(...args)
    }
    return tx
  }
}

async function setup(m: Multifeed<unknown>, value: unknown): Promise<void> {
  const w = await m.writer()
  await w.append(value)
  assert.equal(await w.get(0), value)
  assert.equal(m.feeds(), [w])
}

test('slow-to-open storage on both sides: writers, then an exchange that ends in sync', async () => {
  const t = teardown()
  try {
    const m1 = t.add(new Multifeed<unknown>(slowCorestore(t, 100), { valueEncoding: 'json' }))
    const m2 = t.add(new Multifeed<unknown>(slowCorestore(t, 100), { valueEncoding: 'json' }))
    const names: Array<string | null> = []
    m1.on('feed', (_f: unknown, name: string | null) => names.push(name))
    await setup(m1, 'foo')
    await setup(m2, 'bar')
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.is(m1.feeds().length, 2)
    assert.is(m2.feeds().length, 2)
    assert.is(await m1.feeds()[1].get(0), 'bar')
    assert.is(await m2.feeds()[1].get(0), 'foo')
    assert.equal(names, ['default', null])
  } finally {
    await t.run()
  }
})

test('different storage speeds (1 ms and 300 ms) still sync', async () => {
  const t = teardown()
  try {
    const m1 = t.add(new Multifeed<unknown>(slowCorestore(t, 1), { valueEncoding: 'json' }))
    const m2 = t.add(new Multifeed<unknown>(slowCorestore(t, 300), { valueEncoding: 'json' }))
    await m1.writer()
    await m2.writer()
    // replicate before the slow side has even opened its feeds
    const fresh = t.add(new Multifeed<unknown>(slowCorestore(t, 300), { valueEncoding: 'json' }))
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.is(m1.feeds().length, 2)
    assert.is(m2.feeds().length, 2)
    await pipe(fresh.replicate(true), m1.replicate(false)).done
    assert.is(fresh.feeds().length, 2)
  } finally {
    await t.run()
  }
})

test.run()
