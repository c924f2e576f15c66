/// <reference path="../types/hyperswarm.d.ts" preserve="true" />
export {
  Networker,
  EXTENSION_PROTOCOL,
  type NetworkerOptions,
  type NetworkerEvents,
  type ConfigureOptions,
  type Replicator,
} from './networker.js'
export { Networker as default } from './networker.js'
export { StreamExtension, type StreamExtensionHandlers } from './extension.js'
export type { NetworkPeer } from './peer.js'
export type {
  SwarmLike,
  SwarmSocket,
  SwarmPeerInfo,
  SwarmDiscovery,
  SwarmKeyPair,
  SwarmConnectionListener,
} from './swarm.js'
