// Type-level checks: a Bee's key and value types follow the encodings passed. The assertions below
// are checked by `pnpm typecheck` (a wrong inference fails it); the uvu test runs the same calls
// on a real store so the runner counts the file and the types meet real values.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import c from 'compact-encoding'
import { Store, type AbstractEncoding } from '@dat-sdk/store'
import { teardown } from '@dat-sdk/test-utils'
import { Bee, type BeeEncodingType, type BeeOptions } from '@dat-sdk/bee-wrapper'

const test = suite('Bee types follow the encodings')

/** True only when A and B are the same type (unknown and any included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function expectType<A, B>(check: Equal<A, B>): void {
  assert.ok(check)
}

interface Point {
  x: number
  y: number
}

// An abstract-encoding (encode / decode / encodingLength) of Point: two uint8s.
const point: AbstractEncoding<Point> = {
  encode: (p) => Uint8Array.of(p.x, p.y),
  decode: (bytes) => ({ x: bytes[0]!, y: bytes[1]! }),
  encodingLength: () => 2,
}

// The mapping itself, encoding by encoding.
expectType<BeeEncodingType<'utf-8'>, string>(true)
expectType<BeeEncodingType<'utf8'>, string>(true)
expectType<BeeEncodingType<'binary'>, Uint8Array>(true)
expectType<BeeEncodingType<'json'>, unknown>(true)
expectType<BeeEncodingType<undefined>, Uint8Array>(true)
expectType<BeeEncodingType<typeof c.uint>, number>(true)
expectType<BeeEncodingType<typeof point>, Point>(true)
expectType<BeeEncodingType<undefined, string>, string>(true)

test('new Bee(store, ref, opts) is typed by its encodings, without generics', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(new Bee(store, 'kv', { keyEncoding: 'utf-8', valueEncoding: c.uint }))
    expectType<typeof bee, Bee<string, number>>(true)
    await bee.put('a', 1)
    // @ts-expect-error a utf-8 bee refuses a number key
    const numberKey = () => bee.put(2, 1)
    void numberKey // never called: only its type is checked
    const entry = await bee.get('a')
    const k: string = entry!.key
    const v: number = entry!.value
    assert.is(k, 'a')
    assert.is(v, 1)

    const json = t.add(new Bee(store, 'json', { keyEncoding: 'utf8', valueEncoding: 'json' }))
    expectType<typeof json, Bee<string, unknown>>(true)
    await json.put('p', { x: 1 })
    assert.equal((await json.get('p'))?.value, { x: 1 })

    const bytes = t.add(new Bee(store, 'bytes'))
    expectType<typeof bytes, Bee<Uint8Array, Uint8Array>>(true)
    const binary = t.add(new Bee(store, null, { keyEncoding: 'binary', valueEncoding: point }))
    expectType<typeof binary, Bee<Uint8Array, Point>>(true)
    await binary.put(Uint8Array.of(1), { x: 3, y: 4 })
    assert.equal((await binary.get(Uint8Array.of(1)))?.value, { x: 3, y: 4 })

    // Views keep the types: a checkout, a snapshot, a sub without encodings of its own.
    expectType<ReturnType<typeof bee.snapshot>, Bee<string, number>>(true)
    expectType<ReturnType<typeof bee.checkout>, Bee<string, number>>(true)
    const same = bee.sub('same')
    expectType<typeof same, Bee<string, number>>(true)
  } finally {
    await t.run()
  }
})

test('typed options, explicit generics, wrapped cores and subs keep their types', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    // Options typed by BeeOptions<K, V> give K and V, whatever names they could hold.
    const opts: BeeOptions<string, Point> = { keyEncoding: 'utf-8', valueEncoding: 'json' }
    const typed = t.add(new Bee(store, 'typed', opts))
    expectType<typeof typed, Bee<string, Point>>(true)

    // Explicit generics win over the encodings: 'json' can hold a Point.
    const explicit = t.add(
      new Bee<string, Point>(store, 'explicit', { keyEncoding: 'utf-8', valueEncoding: 'json' }),
    )
    expectType<typeof explicit, Bee<string, Point>>(true)
    await explicit.put('p', { x: 5, y: 6 })
    const p: Point = (await explicit.get('p'))!.value
    assert.equal(p, { x: 5, y: 6 })

    // A core handed in: the same inference, from the second argument.
    const core = t.add(store.get('raw'))
    const wrapped = t.add(new Bee(core, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }))
    expectType<typeof wrapped, Bee<string, string>>(true)
    await wrapped.put('k', 'v')
    const s: string = (await wrapped.get('k'))!.value
    assert.is(s, 'v')

    // A sub with its own encodings takes them; what it does not name, it takes from its bee.
    const counts = wrapped.sub('counts', { valueEncoding: c.uint })
    expectType<typeof counts, Bee<string, number>>(true)
    await counts.put('n', 7)
    const n: number = (await counts.get('n'))!.value
    assert.is(n, 7)
    const raw = wrapped.sub('raw', { keyEncoding: 'binary' })
    expectType<typeof raw, Bee<Uint8Array, string>>(true)
    const pts = wrapped.sub<string, Point>('pts', { valueEncoding: 'json' })
    expectType<typeof pts, Bee<string, Point>>(true)
    // @ts-expect-error a sub of utf-8 keys refuses a number key
    const numberSubKey = () => counts.get(1)
    void numberSubKey // never called: only its type is checked
  } finally {
    await t.run()
  }
})

test.run()
