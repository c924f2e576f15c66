import b4a from 'b4a'
import Hypercore from 'hypercore'
import crypto from 'hypercore-crypto'
import sodium from 'sodium-universal'

let corestoreNS: Uint8Array | null = null

/** What it takes to predict the key of a named core: the corestore's primary key and namespace. */
export interface Naming {
  primaryKey: Uint8Array | null
  ns: Uint8Array
  manifestVersion?: number
}

/**
 * The key Corestore 7 gives the core named `name`, computed synchronously, so that a name and the
 * key it derives can be recognised as one core before the core has opened. Corestore derives a
 * named core's signing key pair from a keyed BLAKE2b of its own namespace, the store's namespace
 * and the name, under the primary key; the core's key is the hash of the one-signer manifest.
 * Corestore cannot change this without orphaning every named core on disk, and the tests check
 * the prediction against the key an opened core reports. Null before the store has opened.
 */
export function derivedKey(naming: Naming, name: string): Uint8Array | null {
  if (!naming.primaryKey) return null
  corestoreNS ??= crypto.namespace('corestore', 1)[0]
  const seed = b4a.alloc(32)
  sodium.crypto_generichash_batch(seed, [corestoreNS, naming.ns, b4a.from(name)], naming.primaryKey)
  const publicKey = b4a.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = b4a.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return Hypercore.key({ version: naming.manifestVersion ?? 1, signers: [{ publicKey }] })
}
