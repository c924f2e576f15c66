export {
  SDK,
  createSDK,
  type SDKOptions,
  type SDKSeedOptions,
  type SDKRef,
  type SDKCoreOptions,
  type SDKDriveOptions,
  type HypercoreFactory,
  type HyperdriveFactory,
  type HyperbeeFactory,
  type CorestoreFactory,
  type GossipFactory,
  type MultifeedFactory,
} from './sdk.js'
export { createSDK as default } from './sdk.js'
export { SDKCore, SDKDrive } from './parts.js'
export { topicKey } from './network.js'
export type { SDKStats } from './stats.js'
export { localBlocks } from '@dat-sdk/core-wrapper'
export { SDKBee, type SDKBeeOptions } from './bee.js'
export type {
  NetworkerLike,
  NetworkPeerLike,
  ConfigureOptions,
  ExtensionHost,
  RemotePeer,
  Topic,
  JoinOptions,
} from '@dat-sdk/interfaces'
export type { DnsOptions } from './dns.js'
export type { AutobaseFactory, SDKBaseOptions } from './base.js'
export type {
  Base,
  BaseOptions,
  BaseNode,
  BaseWriter,
  BaseEntry,
  BaseRange,
  BaseWatcher,
  Pairing,
} from '@dat-sdk/autobase'
export { parseBootstrap, parseHostPort, type BootstrapNode } from '@dat-sdk/networker'
export {
  DatSdkError,
  ErrorCodes,
  isDatSdkError,
  parseRef,
  toKey,
  toHex,
  toZ32,
  toURL,
  type ErrorCode,
  type KeyLike,
  type Ref,
  type Encoding,
  type Store,
} from '@dat-sdk/store'
export type {
  Core,
  Peer,
  Extension,
  ExtensionHandlers,
  CoreOptions,
  TransferStats,
  ConnectionTransfer,
} from '@dat-sdk/core-wrapper'
export type {
  Drive,
  DriveOptions,
  FolderSync,
  SyncFolderOptions,
  SyncProgress,
  SyncResult,
  DriveDownload,
  DownloadProgress,
} from '@dat-sdk/drive-wrapper'
export type {
  Bee,
  BeeOptions,
  BeeEncoding,
  BeeEncodingType,
  BeeKeyOf,
  BeeValueOf,
  BeeOptionsLike,
  BeeEntry,
  BeeRange,
  BeeWatcher,
  SubOptions,
} from '@dat-sdk/bee-wrapper'
export type { Networker, NetworkerOptions, NetworkPeer, SwarmLike } from '@dat-sdk/networker'
export type { Gossip, GossipOptions } from '@dat-sdk/gossip'
export type { Multifeed, MultifeedOptions } from '@dat-sdk/multifeed'
export type { Seed, SeedStatus, BlindPeerStatus, SeedKind, SeedRecord } from '@dat-sdk/seeding'
