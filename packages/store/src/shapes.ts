import type Corestore from 'corestore'
import type { Store } from './store.js'

/**
 * Shape checks, never `instanceof`: a user's own copy of corestore (or of this package) in their
 * node_modules is as good as ours.
 */
export function isCorestore(value: unknown): value is Corestore {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.get === 'function' &&
    typeof v.replicate === 'function' &&
    typeof v.namespace === 'function' &&
    typeof v.session === 'function'
  )
}

/** A `Store` of this package (any copy of it): it wraps a corestore. */
export function isStore(value: unknown): value is Store {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.get === 'function' &&
    typeof v.namespace === 'function' &&
    typeof v.replicate === 'function' &&
    isCorestore(v.corestore)
  )
}
