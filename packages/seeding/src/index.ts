/// <reference path="../types/blind-peering.d.ts" preserve="true" />
/// <reference path="../../bee-wrapper/types/hyperbee.d.ts" preserve="true" />
export { Seeder, type SeederOptions, type SeedRequest, type SeedingKeyPair } from './seeder.js'
export { Seeder as default } from './seeder.js'
export { STATUS_INTERVAL } from './clock.js'
export { Seed, type SeedStatus, type BlindPeerStatus, type SeedOptions } from './seed.js'
export type { SeedTarget, SeedCore } from './target.js'
export { SeedRecords } from './records.js'
export {
  SEED_KINDS,
  seedRecord,
  encodeRecord,
  decodeRecord,
  type SeedKind,
  type SeedRecord,
} from './messages.js'
