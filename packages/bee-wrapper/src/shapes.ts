// Telling apart what `new Bee()` is handed, opening a raw bee, and the errors a Bee gives.
import { DatSdkError, type Hypercore } from '@dat-sdk/store'
import type { Core } from '@dat-sdk/core-wrapper'
import Hyperbee from 'hyperbee'
import { toHyperbeeEncoding } from './encoding.js'
import type { BeeOptions } from './types.js'

export function isHyperbee<K, V>(value: object): value is Hyperbee<K, V> {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sub === 'function' &&
    typeof v.checkout === 'function' &&
    typeof v.createHistoryStream === 'function' &&
    typeof v.getAndWatch === 'function' &&
    typeof v.core === 'object'
  )
}

export function isCore(value: unknown): value is Core<unknown> {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.peers === 'function' &&
    typeof v.registerExtension === 'function' &&
    typeof v.hypercore === 'object' &&
    v.hypercore !== null
  )
}

export function isHypercore(value: unknown): value is Hypercore<unknown> {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.registerExtension === 'function' &&
    typeof v.session === 'function' &&
    typeof v.append === 'function' &&
    typeof v.findingPeers === 'function'
  )
}

/** A raw bee on `core`, with the encodings of `opts` (closing the raw bee closes `core`). */
export function openRaw<K, V>(core: Hypercore<unknown>, opts: BeeOptions<K, V>): Hyperbee<K, V> {
  return new Hyperbee<K, V>(core, {
    keyEncoding: toHyperbeeEncoding(opts.keyEncoding),
    valueEncoding: toHyperbeeEncoding(opts.valueEncoding),
  })
}

export function isSessionClosedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SESSION_CLOSED' || code === 'SESSION_NOT_WRITABLE_CLOSED'
}

export function closedError(cause?: unknown): DatSdkError {
  return new DatSdkError('CLOSED', 'The bee is closed', cause ? { cause } : undefined)
}
