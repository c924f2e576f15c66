import assert from 'node:assert/strict'
import { suite } from 'uvu'
import { Store } from '@dat-sdk/store'
import {
  assertRejectsCode,
  createTestnet,
  eventually,
  teardown,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Base, type BaseOptions } from '../src/index.js'
import { writable } from './helpers.js'

const test = suite('converge')

const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const

/** Every entry as `key=value@seq`: the seq is the entry's place in the view, so equal lists mean the same order. */
async function ordered(base: Base<string, string>): Promise<string[]> {
  const out: string[] = []
  for await (const e of base.createReadStream()) out.push(`${e.key}=${e.value}@${e.seq}`)
  return out
}

async function converged(bases: Array<Base<string, string>>, size: number): Promise<string[]> {
  let last: string[] = []
  await eventually(
    async () => {
      await Promise.all(bases.map((b) => b.update()))
      const all = await Promise.all(bases.map(ordered))
      last = all[0]
      assert.equal(all[0].length, size)
      for (const other of all.slice(1)) assert.deepEqual(other, all[0])
      return true
    },
    { timeout: 30_000, message: 'all peers hold the same view' },
  )
  return last
}

test('three writers (one by invite), one offline while all write, converge to one order', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const swarm = () => testnet.swarm()
    const opts = (): BaseOptions<string, string> => ({ ...strings, swarm: swarm(), poll: 2_000 })
    const storeC = t.add(Store.temp())

    const a = t.add(new Base<string, string>(t.add(Store.temp()), null, opts()))
    await a.ready()
    const b = t.add(new Base<string, string>(t.add(Store.temp()), a.key, opts()))
    await b.ready()
    await a.addWriter(b.localKey!)
    const invite = await a.createInvite()
    const c1 = new Base<string, string>(storeC, invite, { ...opts(), timeout: 30_000 })
    await c1.ready()
    await Promise.all([writable(b), writable(c1)])
    await Promise.all([a.put('a0', 'a'), b.put('b0', 'b'), c1.put('c0', 'c')])
    await converged([a, b, c1], 3)

    // c goes offline (its writer and store stay), and everyone writes at once.
    await c1.close()
    const c2 = new Base<string, string>(storeC, a.key, strings)
    await c2.ready()
    assert.ok(c2.writable, 'c is still a writer while offline')
    const writes: Array<Promise<void>> = []
    for (let i = 1; i <= 5; i++) {
      writes.push(a.put(`a${i}`, 'a'), b.put(`b${i}`, 'b'), c2.put(`c${i}`, 'c'))
      writes.push(a.put('shared', `a${i}`), b.put('shared', `b${i}`), c2.put('shared', `c${i}`))
    }
    await Promise.all(writes)
    await c2.close()

    // back online
    const c3 = t.add(new Base<string, string>(storeC, a.key, opts()))
    await c3.ready()
    const view = await converged([a, b, c3], 19)
    assert.ok(view.some((line) => line.startsWith('shared=')))

    // b is removed; what it writes after it learned so is refused, and the others still agree.
    await a.removeWriter(b.localKey!)
    await eventually(() => !b.writable, { timeout: 30_000, message: 'b unwritable' })
    await assertRejectsCode(b.put('late', 'b'), 'NOT_WRITABLE')
    await a.put('after', 'a')
    const final = await converged([a, b, c3], 20)
    assert.ok(!final.some((line) => line.startsWith('late=')))
    assert.equal((await c3.writers()).length, 2)
  } finally {
    await t.run()
  }
})

interface Counter {
  total: number
}

function counterView(): BaseOptions<
  Uint8Array,
  number,
  {
    core: {
      append(b: Uint8Array): Promise<unknown>
      length: number
      get(i: number): Promise<Uint8Array | null>
    }
  }
> {
  return {
    valueEncoding: 'json',
    open: (store) => ({ core: store.get('counter') }),
    async apply(nodes, view) {
      let total = 0
      if (view.core.length > 0) {
        const last = await view.core.get(view.core.length - 1)
        total = (JSON.parse(new TextDecoder().decode(last!)) as Counter).total
      }
      for (const node of nodes) {
        total += node.value
        await view.core.append(new TextEncoder().encode(JSON.stringify({ total })))
      }
    },
  }
}

async function total(
  base: Base<
    Uint8Array,
    number,
    ReturnType<typeof counterView> extends BaseOptions<Uint8Array, number, infer V> ? V : never
  >,
): Promise<string> {
  const core = (
    base.view as { core: { length: number; get(i: number): Promise<Uint8Array | null> } }
  ).core
  if (core.length === 0) return '0@0'
  const last = await core.get(core.length - 1)
  return `${(JSON.parse(new TextDecoder().decode(last!)) as Counter).total}@${core.length}`
}

test('a custom open/apply view (a counter) converges across three peers', async () => {
  const t: Teardown = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const make = (ref?: Uint8Array | null) =>
      t.add(
        new Base(t.add(Store.temp()), ref, {
          ...counterView(),
          swarm: testnet.swarm(),
        }),
      )
    const a = make()
    await a.ready()
    const b = make(a.key)
    const c = make(a.key)
    await Promise.all([b.ready(), c.ready()])
    await a.addWriter(b.localKey!)
    await a.addWriter(c.localKey!)
    await Promise.all([writable(b), writable(c)])
    await assertRejectsCode(a.put(new Uint8Array(1), 1), 'NOT_SUPPORTED') // no put on a custom view
    const adds: Array<Promise<void>> = []
    for (let i = 0; i < 10; i++) adds.push(a.append(1), b.append(2), c.append(3))
    await Promise.all(adds)
    await eventually(
      async () => {
        await Promise.all([a.update(), b.update(), c.update()])
        const totals = await Promise.all([a, b, c].map(total))
        assert.deepEqual(totals, ['60@30', '60@30', '60@30'])
        return true
      },
      { timeout: 30_000 },
    )
  } finally {
    await t.run()
  }
})

test.run()
