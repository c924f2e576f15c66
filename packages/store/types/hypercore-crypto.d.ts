// Hand-written declaration for `hypercore-crypto` (ships no types), typed as far as this project uses it.
declare module 'hypercore-crypto' {
  import type { KeyPair } from 'hypercore'
  export function keyPair(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array }
  export function discoveryKey(publicKey: Uint8Array): Uint8Array
  export function randomBytes(n: number): Uint8Array
  export function namespace(name: string, count: number): Uint8Array[]
  const crypto: {
    keyPair: typeof keyPair
    discoveryKey: typeof discoveryKey
    randomBytes: typeof randomBytes
    namespace: typeof namespace
  }
  export default crypto
  export type { KeyPair }
}
