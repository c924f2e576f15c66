import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { parseRef, toHex, toKey, type KeyLike } from '@dat-sdk/store'
import { decodeInvite, inviteError } from './invites.js'

/** What `new Base(store, ref)` was given: nothing (a new base), the base's key, or an invite. */
export type Ref =
  | { kind: 'new' }
  | { kind: 'key'; key: Uint8Array }
  | { kind: 'invite'; invite: NonNullable<ReturnType<typeof decodeInvite>> }

const NS = 'dat-sdk/autobase'

/** Reads a ref; throws `INVALID_KEY` for a malformed URL and `INVITE_INVALID` for anything else. */
export function parseBaseRef(ref: KeyLike | null | undefined): Ref {
  if (ref === null || ref === undefined) return { kind: 'new' }
  if (ref instanceof Uint8Array) return { kind: 'key', key: toKey(ref) }
  if (typeof ref !== 'string') throw new TypeError('A base ref is a key, an invite or nothing')
  const invite = decodeInvite(ref)
  if (invite) return { kind: 'invite', invite }
  const parsed = parseRef(ref) // throws INVALID_KEY for a malformed URL
  if (parsed && 'key' in parsed) return { kind: 'key', key: parsed.key }
  throw inviteError(`${JSON.stringify(ref)} is neither a key nor an invite`)
}

/**
 * The store namespace a base's cores live in: by name (or fresh) for a new base, by key, or by
 * invite id while joining, so the same ref finds the same cores after a restart.
 */
export function namespaceOf(ref: Ref, name?: string): string {
  if (ref.kind === 'key') return `${NS}/key/${toHex(ref.key)}`
  if (ref.kind === 'invite') return `${NS}/invite/${toHex(ref.invite.id)}`
  return name ? `${NS}/name/${name}` : `${NS}/new/${b4a.toString(crypto.randomBytes(16), 'hex')}`
}
