import {
  Base,
  Pairing,
  decodeInvite,
  isInviteRef,
  type BaseOptions,
  type PairingSwarm,
} from '@dat-sdk/autobase'
import { DatSdkError, parseRef, toHex, type KeyLike } from '@dat-sdk/store'
import type { Store } from '@dat-sdk/store'

/** `Autobase(ref, opts)`: `Base`'s options (the SDK supplies the swarm and replication). */
export type SDKBaseOptions<K = Uint8Array, T = Uint8Array, V = unknown> = Omit<
  BaseOptions<K, T, V>,
  'swarm' | 'pairing' | 'replicate' | 'name'
>

/** `Autobase(ref, opts)`: a Base opened through the SDK, by key or by invite; its `ready()` rejects with `INVITE_INVALID` on a bad invite, `INVALID_KEY` on a malformed key. */
export interface AutobaseFactory {
  <K = Uint8Array, T = Uint8Array, V = unknown>(
    ref?: KeyLike | null,
    opts?: SDKBaseOptions<K, T, V>,
  ): Base<K, T, V>
  new <K = Uint8Array, T = Uint8Array, V = unknown>(
    ref?: KeyLike | null,
    opts?: SDKBaseOptions<K, T, V>,
  ): Base<K, T, V>
}

/**
 * The cache refs of a base ref, and how to open it: `name:`, `key:` or an invite (never cached).
 * A string that is no key and has 60 or more z-base-32 characters is an invite even when it does
 * not decode (cut short, made up): `Base` rejects it with `INVITE_INVALID`, never opens a name.
 */
export function baseRefs(ref: KeyLike | null | undefined): {
  refs: string[]
  name?: string
  invite?: boolean
} {
  if (ref === null || ref === undefined) return { refs: [] }
  if (isInviteRef(ref)) return { refs: [], invite: true }
  const parsed = parseRef(ref)
  if (parsed && 'key' in parsed) return { refs: [`key:${toHex(parsed.key)}`] }
  if (parsed && 'name' in parsed) return { refs: [`name:${parsed.name}`], name: parsed.name }
  throw new DatSdkError(
    'INVALID_KEY',
    `Autobase() takes a name, a key or an invite, not ${String(ref)}`,
  )
}

/** The SDK's one blind-pairing, on the networker's Hyperswarm (null for a swarm without a DHT). */
export function pairingFor(networker: object): Pairing | null {
  const swarm = (networker as { swarm?: Partial<PairingSwarm> }).swarm
  if (!swarm || !swarm.dht || typeof swarm.join !== 'function') return null
  return new Pairing(swarm as PairingSwarm)
}

/** Opens a Base in the SDK's store, on its pairing; replication is the networker's. */
export function openBase<K, T, V>(
  store: Store,
  ref: KeyLike | null | undefined,
  opts: SDKBaseOptions<K, T, V>,
  pairing: Pairing | null,
): Base<K, T, V> {
  const { name, invite } = baseRefs(ref)
  const baseOpts: BaseOptions<K, T, V> = { ...opts, replicate: false }
  if (pairing) baseOpts.pairing = pairing
  if (name) return new Base<K, T, V>(store, null, { ...baseOpts, name })
  // One that does not decode needs no swarm to be refused: Base's ready() rejects INVITE_INVALID.
  if (invite && !pairing && typeof ref === 'string' && decodeInvite(ref)) {
    throw new DatSdkError('NOT_SUPPORTED', 'Invites need a Hyperswarm networker (none here)')
  }
  return new Base<K, T, V>(store, ref, baseOpts)
}
