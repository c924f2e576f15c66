// Hand-written declaration for `hypercore-crypto` (ships no types), typed as far as this project uses it.
declare module 'hypercore-crypto' {
  import type { KeyPair } from 'hypercore'
  export function keyPair(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array }
  export function discoveryKey(publicKey: Uint8Array): Uint8Array
  export function randomBytes(n: number): Uint8Array
  export function namespace(name: string, count: number): Uint8Array[]
  /** BLAKE2b-256 of the bytes (of the concatenation, for a list). */
  export function hash(data: Uint8Array | Uint8Array[]): Uint8Array
  const crypto: {
    keyPair: typeof keyPair
    discoveryKey: typeof discoveryKey
    randomBytes: typeof randomBytes
    namespace: typeof namespace
    hash: typeof hash
  }
  export default crypto
  export type { KeyPair }
}
