// @dat-sdk/interfaces: the seams of the Dat SDK, as types only (no runtime code). Every package
// imports its seams from here and implements them; nothing else declares them again.
export type { ErrorCode, SdkError } from './errors.js'
export type { Encoding, AbstractEncoding, CompactCodec, CompactState } from './encoding.js'
export type { EventMap, Listener, LifecycleEvents } from './events.js'
export type { RemotePeer, Peer } from './peer.js'
export type {
  Extension,
  ExtensionHandlers,
  ExtensionHost,
  BinaryExtensionHandlers,
  HostExtension,
} from './extension.js'
export type {
  SwarmLike,
  SwarmSocket,
  SwarmKeyPair,
  SwarmPeerInfo,
  SwarmDiscovery,
  SwarmConnectionListener,
} from './swarm.js'
export type {
  NetworkerLike,
  NetworkPeerLike,
  NetworkPeer,
  ConfigureOptions,
  JoinOptions,
  Topic,
} from './networker.js'
export type {
  CoreEvents,
  DriveEvents,
  StoreEvents,
  NetworkerEvents,
  GossipEvents,
  MultifeedEvents,
  BaseEvents,
  MultifeedPeer,
  FolderSyncEvents,
  TransferStats,
  ConnectionTransfer,
  SeedEvents,
  SyncProgress,
  SyncResult,
  FileSyncError,
} from './event-maps.js'
