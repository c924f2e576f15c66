// The SDK's ref cache: the same ref gives the same open part until it closes. Every spelling of a
// key is one ref (`key:<hex>`), and a name and the key it derives are one ref once the part knows
// its key (`alias()`). A closed part is forgotten (the SDK calls `forget()` when it closes).
import path from 'path'
import { DatSdkError, sameEncryptionKey, toHex, type Ref } from '@dat-sdk/store'

/** What the cache holds: anything that says when it is closing and when it has closed. */
export interface Cacheable {
  readonly closing: Promise<void> | null
  once(event: 'close', listener: () => void): unknown
}

/** The cache key of a key, whatever its spelling was. */
export function keyRef(key: Uint8Array): string {
  return `key:${toHex(key)}`
}

/** The cache keys of a parsed name or key ref (a folder by its absolute path, a domain by name). */
export function refsOf(parsed: Ref): string[] {
  if ('key' in parsed) return [keyRef(parsed.key)]
  if ('name' in parsed) return [`name:${parsed.name}`]
  if ('domain' in parsed) return [`domain:${parsed.domain}`]
  return [`folder:${path.resolve(parsed.folder)}`]
}

/** One kind's cache (cores, drives, bees...): refs -> the open part filed under them. */
export class RefCache<P extends Cacheable> {
  private readonly _byRef = new Map<string, P>()
  /** The refs each part is filed under (two at most for most parts: a name and its key). */
  private readonly _refsOf = new Map<P, string[]>()
  /** The encryption key each part was opened with, for the parts opened with one. */
  private readonly _encryptionKeys = new Map<P, Uint8Array>()

  /**
   * The open (not closing) part filed under any of `refs`, or null. With `encryptionKey` (null:
   * none), a part opened with another key, or none, is `KEY_MISMATCH` rather than handed back.
   */
  get(refs: readonly string[], encryptionKey?: Uint8Array | null): P | null {
    for (const ref of refs) {
      const part = this._byRef.get(ref)
      if (!part || part.closing) continue
      if (encryptionKey !== undefined) {
        const opened = this._encryptionKeys.get(part) ?? null
        if (!sameEncryptionKey(opened, encryptionKey)) {
          // The message names neither key: both are secrets.
          throw new DatSdkError(
            'KEY_MISMATCH',
            opened === null
              ? 'That ref is already open without an encryptionKey: close it to open it with one'
              : encryptionKey === null
                ? 'That ref is already open with an encryptionKey: pass the same one'
                : 'That ref is already open with a different encryptionKey',
          )
        }
      }
      return part
    }
    return null
  }

  /** Records the encryption key `part` was opened with (null: none), for `get()` to compare. */
  setEncryptionKey(part: P, encryptionKey: Uint8Array | null): void {
    if (encryptionKey !== null && this._refsOf.has(part))
      this._encryptionKeys.set(part, encryptionKey)
  }

  /**
   * Files `part` under `refs` (each one another open part does not hold), until `forget(part)`:
   * the SDK calls it when the part closes (one 'close' listener for all its bookkeeping).
   */
  add(part: P, refs: readonly string[]): void {
    if (this._refsOf.has(part)) return
    this._refsOf.set(part, [])
    for (const ref of refs) this.alias(part, ref)
  }

  /** Files an added part under one more ref (the key a name derived, once it is known). */
  alias(part: P, ref: string): void {
    const mine = this._refsOf.get(part)
    if (!mine || part.closing) return
    const holder = this._byRef.get(ref)
    if (holder && holder !== part && !holder.closing) return
    this._byRef.set(ref, part)
    // concat() makes a list of its own size (push and spread reserve 16 more slots, 128 bytes).
    if (!mine.includes(ref)) this._refsOf.set(part, mine.concat([ref]))
  }

  /** Forgets a part that closed: its refs then name nothing. */
  forget(part: P): void {
    for (const ref of this._refsOf.get(part) ?? []) {
      if (this._byRef.get(ref) === part) this._byRef.delete(ref)
    }
    this._refsOf.delete(part)
    this._encryptionKeys.delete(part)
  }
}
