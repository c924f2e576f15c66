/// <reference path="../../store/types/protomux.d.ts" preserve="true" />
export {
  Multifeed,
  type MultifeedOptions,
  type WriterOptions,
  type ReplicateOptions,
  type MultifeedPeer,
  type ValueEncoding,
  type VersionMismatchError,
  type ClientMismatchError,
} from './multifeed.js'
export { Multifeed as default } from './multifeed.js'
