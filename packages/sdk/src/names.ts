import b4a from 'b4a'
import Hypercore from 'hypercore'
import crypto from 'hypercore-crypto'
import sodium from 'sodium-universal'

// Narrow casts for two functions the hand-written declarations in @dat-sdk/store leave out.
const { namespace } = crypto as unknown as {
  namespace(name: string, count: number): Uint8Array[]
}
const manifestKey = (
  Hypercore as unknown as {
    key(manifest: { version: number; signers: Array<{ publicKey: Uint8Array }> }): Uint8Array
  }
).key.bind(Hypercore)

let corestoreNS: Uint8Array | null = null

/** What the SDK needs of a Corestore to predict the key of one of its named cores. */
export interface NamingStore {
  primaryKey: Uint8Array | null
  ns: Uint8Array
  manifestVersion?: number
}

/**
 * The key Corestore 7 gives the core named `name`, computed synchronously so that a name and the
 * key it derives are one ref even before the core has opened (or when the key was opened first,
 * after a restart). Corestore derives a named core's signing key pair from a keyed BLAKE2b of its
 * own namespace, the store's namespace and the name, and the core's key is the hash of the
 * one-signer manifest; it cannot change that without orphaning every named core on disk. The SDK
 * still checks the prediction against the key the opened core reports, so a mismatch would cost
 * deduplication only, never data. Returns null when the store has not opened yet.
 */
export function derivedKey(store: NamingStore, name: string): Uint8Array | null {
  if (!store.primaryKey) return null
  corestoreNS ??= namespace('corestore', 1)[0]
  const seed = b4a.alloc(32)
  sodium.crypto_generichash_batch(seed, [corestoreNS, store.ns, b4a.from(name)], store.primaryKey)
  const publicKey = b4a.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = b4a.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return manifestKey({ version: store.manifestVersion ?? 1, signers: [{ publicKey }] })
}
