/// <reference path="../../store/types/protomux.d.ts" preserve="true" />
/// <reference path="../types/autobase.d.ts" preserve="true" />
/// <reference path="../../bee-wrapper/types/hyperbee.d.ts" preserve="true" />
/// <reference path="../types/blind-pairing.d.ts" preserve="true" />
export {
  Base,
  type BaseOptions,
  type BaseEvents,
  type AutobaseHost,
  type AutoStore,
} from './base.js'
export { Base as default } from './base.js'
export { type BaseNode } from './custom-view.js'
export { decodeInvite } from './invites.js'
export { isInviteRef } from './ref.js'
export { type BaseEntry, type BaseRange, type BaseSnapshot, type BaseWatcher } from './kv-view.js'
export { type BaseWriter } from './membership.js'
export {
  Pairing,
  type PairingOptions,
  type PairingPeer,
  type PairingSwarm,
  type PairingConnection,
  type PairingErrorHandler,
} from './pairing.js'
export { OpType, encodeOp, decodeOp, checkPairingMessage, type Op } from './messages.js'
export { isBaseBlock } from './detect.js'
