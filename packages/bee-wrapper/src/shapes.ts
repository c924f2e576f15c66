// Telling apart what `new Bee()` is handed, opening a raw bee, and the errors a Bee gives.
import {
  closedError as storeClosedError,
  hasShape,
  isHypercore,
  isSessionClosedError,
  type DatSdkError,
  type Hypercore,
} from '@dat-sdk/store'
import type { Core } from '@dat-sdk/core-wrapper'
import Hyperbee from 'hyperbee'
import { toHyperbeeEncoding } from './encoding.js'
import type { BeeOptions } from './types.js'

export function isHyperbee<K, V>(value: object): value is Hyperbee<K, V> {
  return hasShape<Hyperbee<K, V>>(
    value,
    ['sub', 'checkout', 'createHistoryStream', 'getAndWatch'],
    ['core'],
  )
}

export function isCore(value: unknown): value is Core<unknown> {
  return hasShape<Core<unknown>>(value, ['peers', 'registerExtension'], ['hypercore'])
}

export { isHypercore, isSessionClosedError }

/** A raw bee on `core`, with the encodings of `opts` (closing the raw bee closes `core`). */
export function openRaw<K, V>(core: Hypercore<unknown>, opts: BeeOptions<K, V>): Hyperbee<K, V> {
  return new Hyperbee<K, V>(core, {
    keyEncoding: toHyperbeeEncoding(opts.keyEncoding),
    valueEncoding: toHyperbeeEncoding(opts.valueEncoding),
  })
}

export function closedError(cause?: unknown): DatSdkError {
  return storeClosedError('bee', cause)
}
