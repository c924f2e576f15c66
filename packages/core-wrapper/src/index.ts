/// <reference path="../types/streamx.d.ts" preserve="true" />
export {
  Core,
  type CoreOptions,
  type CoreFromOptions,
  type CoreEvents,
  type CoreSource,
  type Extension,
  type ExtensionHandlers,
} from './core.js'
export { Core as default } from './core.js'
export { CoreHost, type Structure } from './host.js'
export { Peer } from './peer.js'
export {
  Meter,
  localBlocks,
  progressOf,
  type MeterOptions,
  type ProgressSource,
  type TransferStats,
  type ConnectionTransfer,
} from './meter.js'
export { guardStream, type GuardedSource } from './guard.js'
export { READY_EXTENSION } from './messages.js'
export type { Encoding, DatSdkError, ErrorCode, Hypercore, HypercorePeer } from '@dat-sdk/store'
