/// <reference path="../types/hyperbee.d.ts" preserve="true" />
import { Bee as BeeClass } from './bee.js'
import type { BeeConstructor } from './types.js'

/**
 * A Hyperbee with the SDK's conveniences (see `Bee` in bee.ts). `new Bee(store, 'x', { keyEncoding:
 * 'utf-8' })` is a `Bee<string, Uint8Array>`: the constructor's signatures (`BeeConstructor`)
 * infer the key and value types from the encodings, which a class's own constructor cannot (it
 * takes no type parameters of its own). The same class at runtime, so `instanceof` and `extends`
 * work as before.
 */
export const Bee = BeeClass as BeeConstructor
export type Bee<K = Uint8Array, V = Uint8Array> = BeeClass<K, V>
export default Bee

export {
  type BeeConstructor,
  type BeeOptionsLike,
  type SubOptionsLike,
  type BeeKeyOf,
  type BeeValueOf,
  type BeeOptions,
  type BeeEvents,
  type SubOptions,
  type BeeEntry,
  type BeeRange,
  type BeeHistoryEntry,
  type BeeDiffEntry,
  type BeeReadStream,
  type BeeBatch,
  type BeeWatcher,
  type BeeEntryWatcher,
  type BeeGetOptions,
  type BeePutOptions,
  type BeeDelOptions,
  type BeeHistoryOptions,
} from './bee.js'
export type { BeeEncoding, BeeEncodingType, AnyBeeEncoding } from './encoding.js'
export type { default as Hyperbee } from 'hyperbee'
export type { Peer, Extension, ExtensionHandlers } from '@dat-sdk/core-wrapper'
