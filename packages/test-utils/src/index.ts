/// <reference path="../types/protocol-buffers.d.ts" preserve="true" />
// The Holepunch modules these helpers use are declared once, by @dat-sdk/networker (their owner);
// test-utils is private and cannot depend on it (networker's tests depend on test-utils).
/// <reference path="../../networker/types/secret-stream.d.ts" preserve="true" />
/// <reference path="../../networker/types/hyperdht.d.ts" preserve="true" />
/// <reference path="../../networker/types/hyperswarm.d.ts" preserve="true" />
/// <reference path="../../store/types/z32.d.ts" preserve="true" />
export { createTestnet, type LoopbackTestnet } from './testnet.js'
export {
  startBlindPeer,
  DAT_SDK_BIN,
  type BlindPeerOptions,
  type BlindPeerProcess,
  type BlindPeerExit,
} from './blind-peer.js'
export { makeTmpDir, removeDir, TMP_PREFIX } from './tmp.js'
export { filesHolding } from './files.js'
export { Teardown, teardown } from './teardown.js'
export { replicatePair, type Replicable, type ReplicatedPair } from './replicate.js'
export { countingHost, peerOpenShim, key, type Traffic } from './counting-host.js'
export { eventually, sleep, once, type EventuallyOptions } from './eventually.js'
export { codeOf, rejectionCode, assertThrowsCode, assertRejectsCode } from './codes.js'
export { fuzzParams, mutated, remoteBytes, FUZZ_RUNS, type FuzzParams } from './fuzz.js'
export { fuzzRawJsonExtension, type RawExtensionFuzzTarget } from './extension-fuzz.js'
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
export { type ComplianceOptions, type ComplianceContext } from './compliance.js'
export { swarmCompliance } from './swarm-compliance.js'
export { networkerCompliance, type NetworkerComplianceOptions } from './networker-compliance.js'
export { extensionHostCompliance, type ExtensionHostPair } from './extension-host-compliance.js'
