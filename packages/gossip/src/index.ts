export {
  Gossip,
  datGossip,
  DEFAULT_EXTENSION,
  DEFAULT_MAX_KEYS,
  DEFAULT_MAX_MESSAGE_BYTES,
  MIN_MESSAGE_BYTES,
  type ExtensionHost,
  type ExtensionHandlers,
  type HostExtension,
  type GossipOptions,
  type GossipEvents,
} from './gossip.js'
export { Gossip as default } from './gossip.js'
export { GossipError, type GossipErrorCode } from './errors.js'
