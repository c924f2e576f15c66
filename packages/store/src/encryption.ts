// Private data: the encryption key option of the SDK's parts, and the header check that tells a
// right key from a wrong one (hypercore's block encryption is not authenticated).
import b4a from 'b4a'
import { DatSdkError, isDatSdkError } from './errors.js'
import { toKey, type KeyLike } from './keys.js'

/**
 * The 32 bytes of an `encryptionKey` option (any key spelling), or null when none is given.
 * A malformed key is `INVALID_KEY`; the message never repeats what was given (it is a secret).
 */
export function toEncryptionKey(input: KeyLike | null | undefined): Uint8Array | null {
  if (input === null || input === undefined) return null
  try {
    return toKey(input)
  } catch (err) {
    if (!isDatSdkError(err, 'INVALID_KEY')) throw err
    throw new DatSdkError(
      'INVALID_KEY',
      'encryptionKey must be a 32-byte key (bytes, 64 hex or 52 z-base-32 characters)',
    )
  }
}

/** True when two encryption keys (null: none) are the same. */
export function sameEncryptionKey(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b
  return b4a.equals(a, b)
}

/** The `DECRYPTION_FAILED` error of a part (`what`: "drive", "bee", "base"). */
export function decryptionFailed(what: string): DatSdkError {
  return new DatSdkError(
    'DECRYPTION_FAILED',
    `The ${what}'s first block does not decode as its header: it is encrypted and this key ` +
      'is missing or wrong',
  )
}

/** What the header check needs of a Hyperbee (a bee, a drive's db, an Autobase's system). */
export interface HyperbeeLike {
  /** The bee's core (only its length is read). */
  readonly core: { readonly length: number }
  /** Reads the bee's header block, or null when the core is empty. */
  getHeader(opts?: HeaderCheckOptions): Promise<{ protocol?: unknown } | null>
}

/**
 * Reads a Hyperbee's header (its block 0): true when it decodes with protocol `hyperbee`, false
 * when it does not decode as one, null when it is not here.
 */
export async function readHyperbeeHeader(
  bee: HyperbeeLike,
  opts: HeaderCheckOptions,
): Promise<boolean | null> {
  let header: { protocol?: unknown } | null
  try {
    header = await bee.getHeader(opts)
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'DECODING_ERROR') return false
    throw err
  }
  if (header === null || header === undefined) return null
  return header.protocol === 'hyperbee'
}

/** Where the header check stands: not known yet, block 0 decoded as the header, or it did not. */
export type HeaderState = 'unchecked' | 'valid' | 'invalid'

/** Options for a header check: whether, and how long, to wait for block 0 from a peer. */
export interface HeaderCheckOptions {
  /** Wait for block 0 from a peer (default true). */
  wait?: boolean
  /** How long to wait for it, in ms (hypercore's `timeout`). */
  timeout?: number
}

/**
 * Reads block 0 and says whether it is the structure's header: true (it is), false (it does not
 * decode as one: encrypted, and the key is missing or wrong), or null (block 0 is not here, with
 * `wait: false`, or the core is empty). Other errors (closed, timed out) are thrown.
 */
export type HeaderReader = (opts: HeaderCheckOptions) => Promise<boolean | null>

/** A header check's reader and length, given as functions (an Autobase's). */
class ReaderSource {
  readonly read: HeaderReader
  readonly length: () => number

  constructor(read: HeaderReader, length: () => number) {
    this.read = read
    this.length = length
  }
}

/**
 * The check that a drive, bee or Autobase was opened with the key its blocks were encrypted with:
 * block 0 must decode as the structure's header. Once known, the answer holds for the part's
 * life (a key does not change). `guard()` runs a read so that it never hands back what a wrong
 * key decoded: the check comes first when block 0 can be had, or right after the read.
 */
export class HeaderCheck {
  private _state: HeaderState = 'unchecked'
  private readonly _what: string
  /**
   * The Hyperbee whose header is checked, or a reader and the core's length: a drive or bee holds
   * its check for life, and a seeder's thousand drives held two closures and their context each.
   */
  private readonly _source: HyperbeeLike | ReaderSource

  constructor(what: string, read: HeaderReader, length: () => number)
  /** @internal `HeaderCheck.ofHyperbee()`. */
  constructor(what: string, bee: HyperbeeLike)
  constructor(what: string, source: HeaderReader | HyperbeeLike, length?: () => number) {
    this._what = what
    this._source =
      typeof source === 'function' ? new ReaderSource(source, length ?? (() => 0)) : source
  }

  /** The check of a Hyperbee's header (`what` names the part in the error). */
  static ofHyperbee(what: string, bee: HyperbeeLike): HeaderCheck {
    return new HeaderCheck(what, bee)
  }

  /** Reads block 0 (see `HeaderReader`). */
  private _read(opts: HeaderCheckOptions): Promise<boolean | null> {
    const source = this._source
    if (source instanceof ReaderSource) return source.read(opts)
    return readHyperbeeHeader(source, opts)
  }

  /** The checked core's length. */
  private _length(): number {
    const source = this._source
    return source instanceof ReaderSource ? source.length() : source.core.length
  }

  /** Where the check is: not yet known, valid, or failed (`DECRYPTION_FAILED`). */
  get state(): HeaderState {
    return this._state
  }

  /** Throws `DECRYPTION_FAILED` when the check has failed. */
  assert(): void {
    if (this._state === 'invalid') throw decryptionFailed(this._what)
  }

  /**
   * Runs the check (once it has an answer, that answer). It never throws: a closed core or a
   * timeout leaves the state `'unchecked'`.
   */
  async verify(opts: HeaderCheckOptions = {}): Promise<HeaderState> {
    if (this._state !== 'unchecked') return this._state
    if (this._length() === 0) return this._state
    let valid: boolean | null
    try {
      valid = await this._read({ wait: opts.wait !== false, timeout: opts.timeout })
    } catch {
      return this._state
    }
    if (valid !== null && this._state === 'unchecked') this._state = valid ? 'valid' : 'invalid'
    return this._state
  }

  /**
   * Runs the read `fn` behind the check. When the check cannot be answered (block 0 is not
   * here and `wait` is false), a result other than null is not handed back: `unverified` is.
   */
  async guard<R>(fn: () => Promise<R>, opts: HeaderCheckOptions = {}, unverified: R): Promise<R> {
    this.assert()
    if (this._state === 'valid') return fn()
    // Block 0 can be waited for when the core has blocks; an empty one may get them in the read.
    const waited = this._length() > 0
    if ((await this._verified(opts)) === 'valid') return fn()
    const after: HeaderCheckOptions = waited ? { wait: false } : opts
    let result: R
    try {
      result = await fn()
    } catch (err) {
      // A wrong key's garbage often fails to decode: say why, when block 0 tells.
      await this._verified(after)
      throw err
    }
    if ((await this._verified(after)) === 'valid') return result
    return result === null || result === undefined ? result : unverified
  }

  /** `verify()`, then `DECRYPTION_FAILED` if it failed. */
  private async _verified(opts: HeaderCheckOptions): Promise<HeaderState> {
    const state = await this.verify(opts)
    this.assert()
    return state
  }
}
