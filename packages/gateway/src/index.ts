export {
  hyperFetch,
  DEFAULT_TIMEOUT,
  type HyperFetchOptions,
  type EncryptionKeys,
} from './fetch.js'
export { Gateway, createGateway, type GatewayOptions, type TokenOptions } from './server.js'
export { Gateway as default } from './server.js'
export type { GatewaySDK } from './drives.js'
export type { GatewayErrorCode } from './errors.js'
