/// <reference types="node" preserve="true" />
// Hand-written declaration for `@hyperswarm/secret-stream` 6 (it ships no types), typed as far as
// this project uses it: Hyperswarm's connections are these, and the tests build their own
// transports on them (test-utils' MemorySwarm, the sdk tests' TCP networker).
declare module '@hyperswarm/secret-stream' {
  import type { Duplex } from 'node:stream'

  export interface SecretStreamKeyPair {
    publicKey: Uint8Array
    secretKey: Uint8Array
  }

  export interface SecretStreamOptions {
    keyPair?: SecretStreamKeyPair
    /** The remote's public key, required of the initiator when it is known in advance. */
    remotePublicKey?: Uint8Array
    handshake?: unknown
  }

  /** A Noise-encrypted duplex over `rawStream` (or over nothing yet: attach one with `start()`). */
  export default class NoiseSecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream?: Duplex | null, opts?: SecretStreamOptions)
    static keyPair(seed?: Uint8Array): SecretStreamKeyPair
    readonly isInitiator: boolean
    readonly publicKey: Uint8Array | null
    /** Null until the Noise handshake is done: await `opened`. */
    readonly remotePublicKey: Uint8Array | null
    readonly handshakeHash: Uint8Array | null
    /** Resolves true once the handshake is done, false when destroyed before it. */
    readonly opened: Promise<boolean>
    /** The transport under the encryption (a bridge duplex when none was given). */
    readonly rawStream: Duplex
    userData: unknown
    start(rawStream?: Duplex, opts?: SecretStreamOptions): void
    setKeepAlive(ms: number): void
    sendKeepAlive(): void
  }
}
