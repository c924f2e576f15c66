/// <reference path="../types/protocol-buffers.d.ts" preserve="true" />
export { createTestnet, type LoopbackTestnet } from './testnet.js'
export { makeTmpDir, removeDir, TMP_PREFIX } from './tmp.js'
export { Teardown, teardown } from './teardown.js'
export { replicatePair, type Replicable, type ReplicatedPair } from './replicate.js'
export { eventually, sleep, once, type EventuallyOptions } from './eventually.js'
export { codeOf, rejectionCode, assertThrowsCode, assertRejectsCode } from './codes.js'
export { fuzzParams, mutated, remoteBytes, FUZZ_RUNS, type FuzzParams } from './fuzz.js'
export {
  checkReadmeExample,
  readmeExamples,
  expectedOutput,
  matchesExpected,
  outputMismatch,
  type ReadmeExampleOptions,
} from './readme.js'
export {
  MemorySwarm,
  MemorySwarmNetwork,
  MemoryDiscovery,
  type MemorySwarmOptions,
  type MemorySwarmNetworkOptions,
  type MemorySocket,
  type MemoryPeerInfo,
  type MemoryKeyPair,
} from './memory-swarm.js'
export {
  swarmCompliance,
  type SwarmComplianceHarness,
  type ComplianceSwarm,
  type ComplianceSocket,
  type ComplianceDiscovery,
} from './swarm-compliance.js'
export {
  networkerCompliance,
  type NetworkerComplianceHarness,
  type NetworkerComplianceOptions,
  type ComplianceNetworker,
  type CompliancePeer,
  type ComplianceExtension,
  type ComplianceHandlers,
} from './networker-compliance.js'
export {
  extensionHostCompliance,
  type ExtensionHostComplianceHarness,
  type ExtensionHostComplianceOptions,
  type ExtensionHostPair,
  type ComplianceExtensionHost,
  type ComplianceHostExtension,
  type ComplianceHostHandlers,
} from './extension-host-compliance.js'
