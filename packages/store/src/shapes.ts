import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { Store } from './store.js'

// Shape checks, never `instanceof`: a user's own copy of corestore, hypercore or hyperdrive (or
// of this package) in their node_modules is as good as ours. Every part checks what it is handed
// through `hasShape`, naming the members it relies on.

/**
 * True when `value` is an object whose `methods` are all functions and whose `objects` are all
 * non-null objects. The caller names the type those members make it (`hasShape<Hypercore>(...)`).
 */
export function hasShape<T>(
  value: unknown,
  methods: readonly string[],
  objects: readonly string[] = [],
): value is T {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    methods.every((m) => typeof v[m] === 'function') &&
    objects.every((o) => typeof v[o] === 'object' && v[o] !== null)
  )
}

/** Whether `value` looks like a Corestore (an SDK store is not one). */
export function isCorestore(value: unknown): value is Corestore {
  return hasShape<Corestore>(value, ['get', 'replicate', 'namespace', 'session'])
}

/** A `Store` of this package (any copy of it): it wraps a corestore. */
export function isStore(value: unknown): value is Store {
  return hasShape<Store>(value, ['get', 'namespace', 'replicate']) && isCorestore(value.corestore)
}

/** A hypercore 11 core (or session) from any copy of hypercore. */
export function isHypercore(value: unknown): value is Hypercore<unknown> {
  return hasShape<Hypercore<unknown>>(value, [
    'registerExtension',
    'session',
    'ready',
    'close',
    'append',
    'get',
    'on',
    'removeListener',
  ])
}

/** Hypercore's error for a call on a session that was closed meanwhile. */
export function isSessionClosedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SESSION_CLOSED' || code === 'SESSION_NOT_WRITABLE_CLOSED'
}
