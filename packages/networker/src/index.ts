/// <reference path="../../store/types/protomux.d.ts" preserve="true" />
/// <reference path="../types/hyperswarm.d.ts" preserve="true" />
/// <reference path="../types/hyperdht.d.ts" preserve="true" />
/// <reference path="../types/secret-stream.d.ts" preserve="true" />
export {
  Networker,
  EXTENSION_PROTOCOL,
  type NetworkerOptions,
  type ConfigureOptions,
  type Replicator,
} from './networker.js'
export { Networker as default } from './networker.js'
export { StreamExtension, type StreamExtensionHandlers } from './extension.js'
export {
  TopicSet,
  withTopicHandles,
  type ApplyTopic,
  type Joinable,
  type TopicMode,
} from './topic-set.js'
export {
  parseBootstrap,
  parseHostPort,
  isLoopbackHost,
  dhtSettings,
  createSwarm,
  createHyperswarm,
  RECV_BUFFER_SIZE,
  type BootstrapNode,
  type CreateSwarmOptions,
} from './bootstrap.js'
export type {
  NetworkPeer,
  NetworkerEvents,
  SwarmLike,
  SwarmSocket,
  SwarmPeerInfo,
  SwarmDiscovery,
  SwarmKeyPair,
  SwarmConnectionListener,
  Topic,
  JoinOptions,
} from '@dat-sdk/interfaces'
