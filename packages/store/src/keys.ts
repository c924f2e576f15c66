import b4a from 'b4a'
import z32 from 'z32'
import { DatSdkError } from './errors.js'

/** A 32-byte key as bytes, or any accepted spelling of one (hex, z-base-32, `hyper://`, `dat://`). */
export type KeyLike = Uint8Array | string

/** What names a core: a name, a key in any spelling, a `hyper://` URL, a DNS name or a folder. */
export type Ref =
  { key: Uint8Array } | { name: string } | { domain: string; path: string } | { folder: string }

const HEX = /^[0-9a-f]{64}$/i
const Z32 = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}\.?$/i
const URL_SCHEME = /^(hyper|dat):\/\//i

function invalid(input: unknown, why: string): DatSdkError {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input)
  return new DatSdkError('INVALID_KEY', `Invalid key or URL ${shown}: ${why}`)
}

/** Decodes a bare key spelling (64 hex chars or 52 z-base-32 chars), or returns null. */
function decodeBareKey(s: string): Uint8Array | null {
  if (HEX.test(s)) return b4a.from(s, 'hex')
  if (Z32.test(s)) {
    const key = z32.decode(s)
    if (key.byteLength === 32) return key
  }
  return null
}

/**
 * Tells what a reference names: a key (any spelling), a `hyper://domain/path`, a folder
 * (`./`, `../` or `/`), or a name. `null` / `undefined` give `null` (a fresh writable core).
 * Throws `INVALID_KEY` for a malformed key or URL.
 */
export function parseRef(input: KeyLike | null | undefined): Ref | null {
  if (input === null || input === undefined) return null
  if (input instanceof Uint8Array) {
    if (input.byteLength !== 32) throw invalid(`<${input.byteLength} bytes>`, 'a key is 32 bytes')
    return { key: input }
  }
  if (typeof input !== 'string') throw invalid(input, 'expected bytes or a string')

  const scheme = URL_SCHEME.exec(input)
  if (scheme) {
    const rest = input.slice(scheme[0].length)
    const slash = rest.search(/[/?#]/)
    const host = slash === -1 ? rest : rest.slice(0, slash)
    const path = slash === -1 ? '/' : rest.slice(slash)
    if (host === '') throw invalid(input, 'the URL has no host')
    // `hyper://<key>+<version>` is a versioned link; the version is for the caller to read.
    const bare = host.split('+')[0]
    const key = decodeBareKey(bare)
    if (key) return { key }
    if (bare.includes('.') && DOMAIN.test(bare)) {
      return { domain: bare.toLowerCase().replace(/\.$/, ''), path: path.split(/[?#]/)[0] || '/' }
    }
    throw invalid(input, 'the host is neither a 32-byte key (hex or z-base-32) nor a domain')
  }

  if (input.startsWith('./') || input.startsWith('../') || input.startsWith('/')) {
    return { folder: input }
  }
  const key = decodeBareKey(input)
  if (key) return { key }
  if (input === '') throw invalid(input, 'a name cannot be empty')
  return { name: input }
}

/** Decodes any key spelling to its 32 bytes; anything that is not a key is `INVALID_KEY`. */
export function toKey(input: KeyLike): Uint8Array {
  const ref = parseRef(input)
  if (ref && 'key' in ref) return ref.key
  throw invalid(input, 'expected a 32-byte key')
}

/** A key as 64 hex characters; throws `INVALID_KEY` on a malformed key. */
export function toHex(key: KeyLike): string {
  return b4a.toString(toKey(key), 'hex')
}

/** A key as 52 z-base-32 characters (as in `hyper://` URLs); throws `INVALID_KEY` on a malformed key. */
export function toZ32(key: KeyLike): string {
  return z32.encode(toKey(key))
}

/** The canonical URL of a key: `hyper://<z-base-32>/`. */
export function toURL(key: KeyLike): string {
  return `hyper://${toZ32(key)}/`
}
