/// <reference path="../types/hyperbee.d.ts" preserve="true" />
export {
  Bee,
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
export { Bee as default } from './bee.js'
export type { BeeEncoding } from './encoding.js'
export type { default as Hyperbee } from 'hyperbee'
export type { Peer, Extension, ExtensionHandlers } from '@dat-sdk/core-wrapper'
