import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { parseRef, toHex, toKey, type KeyLike } from '@dat-sdk/store'
import { INVITE_SHAPE, decodeInvite, inviteError } from './invites.js'

/** What `new Base(store, ref)` was given: nothing (a new base), the base's key, or an invite. */
export type Ref =
  | { kind: 'new' }
  | { kind: 'key'; key: Uint8Array }
  | { kind: 'invite'; invite: NonNullable<ReturnType<typeof decodeInvite>> }

const NS = 'dat-sdk/autobase'

/**
 * True when `ref` is read as an invite (the API contract's rule): a string that is not a key in
 * any spelling and has 60 or more z-base-32 characters. It may still not decode (cut short by a bad
 * copy, or made up): then it is `INVITE_INVALID`, and never a name.
 */
export function isInviteRef(ref: unknown): ref is string {
  if (typeof ref !== 'string' || !INVITE_SHAPE.test(ref)) return false
  // A 64-char hex key with no 0 or 2 is z-base-32 letters too: it stays a key.
  const parsed = parseRef(ref)
  return !(parsed && 'key' in parsed)
}

/** Reads a ref; throws `INVALID_KEY` for a malformed URL and `INVITE_INVALID` for anything else. */
export function parseBaseRef(ref: KeyLike | null | undefined): Ref {
  if (ref === null || ref === undefined) return { kind: 'new' }
  if (ref instanceof Uint8Array) return { kind: 'key', key: toKey(ref) }
  if (typeof ref !== 'string') throw new TypeError('A base ref is a key, an invite or nothing')
  const invite = decodeInvite(ref)
  if (invite) return { kind: 'invite', invite }
  if (isInviteRef(ref)) {
    throw inviteError('The invite does not decode: it is cut short, mistyped or made up')
  }
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
