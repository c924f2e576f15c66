import { Store } from '@dat-sdk/store'
import { eventually, type Teardown } from '@dat-sdk/test-utils'
import { Base, type BaseOptions } from '../src/index.js'

/** A Base on a fresh temporary store, both closed by `t`. */
export function tempBase<K = Uint8Array, T = Uint8Array, V = unknown>(
  t: Teardown,
  ref?: Uint8Array | string | null,
  opts: BaseOptions<K, T, V> = {},
): { base: Base<K, T, V>; store: Store } {
  const store = t.add(Store.temp())
  const base = t.add(new Base<K, T, V>(store, ref, opts))
  return { base, store }
}

/** Every entry of a base's default view, as `key=value` strings in view order. */
export async function dump(base: Base<string, string>): Promise<string[]> {
  const out: string[] = []
  for await (const e of base.createReadStream()) out.push(`${e.key}=${e.value}`)
  return out
}

/** Waits until `base` is writable. */
export function writable(base: { writable: boolean }, timeout = 20_000): Promise<true> {
  return eventually(() => base.writable || null, { timeout, message: 'writable' }) as Promise<true>
}
