/// <reference path="../../store/types/protomux.d.ts" preserve="true" />
export { Multifeed, type MultifeedPeer } from './multifeed.js'
export type {
  MultifeedOptions,
  WriterOptions,
  ReplicateOptions,
  ValueEncoding,
  VersionMismatchError,
  ClientMismatchError,
} from './options.js'
export { Multifeed as default } from './multifeed.js'
export { PROTOCOL, PROTOCOL_VERSION } from './messages.js'
