/// <reference path="../types/hypercore.d.ts" preserve="true" />
/// <reference path="../types/hypercore-crypto.d.ts" preserve="true" />
/// <reference path="../types/corestore.d.ts" preserve="true" />
/// <reference path="../types/protomux.d.ts" preserve="true" />
/// <reference path="../types/z32.d.ts" preserve="true" />
/// <reference path="../types/sodium-universal.d.ts" preserve="true" />
export {
  Store,
  DEFAULT_WRITE_BUFFER_SIZE,
  type StoreOptions,
  type StoreEvents,
  type CoreRef,
  type StoredCore,
} from './store.js'
export { Store as default } from './store.js'
export { parseRef, toKey, toHex, toZ32, toURL, type KeyLike, type Ref } from './keys.js'
export { DatSdkError, ErrorCodes, closedError, isDatSdkError, type ErrorCode } from './errors.js'
export {
  resolveEncoding,
  type Encoding,
  type AbstractEncoding,
  type MessageCodec,
  type Codec,
} from './encoding.js'
export { asBadMessage, dispatchMessage, type DispatchHandlers } from './dispatch.js'
export { sharedListener } from './listener.js'
export {
  READY_PROTOCOL,
  MAX_NAMES,
  MAX_NAME_BYTES,
  readyMessage,
  encodeReady,
  decodeReady,
  type ReadyMessage,
} from './messages.js'
export { ReadyLink, muxOf, type ReadyStatus, type ReadyListener } from './ready.js'
export {
  HeaderCheck,
  decryptionFailed,
  readHyperbeeHeader,
  sameEncryptionKey,
  toEncryptionKey,
  type HeaderCheckOptions,
  type HeaderReader,
  type HyperbeeLike,
  type HeaderState,
} from './encryption.js'
export { defaultStorageDir } from './storage.js'
export { layout } from './layout.js'
export { hasShape, isCorestore, isStore, isHypercore, isSessionClosedError } from './shapes.js'
export type { default as Hypercore, HypercoreOptions, HypercorePeer, KeyPair } from 'hypercore'
export type { default as Corestore } from 'corestore'
