import crypto from 'node:crypto'
import { toHex, type KeyLike } from '@dat-sdk/sdk'

/** `gateway.createToken()`'s options: the drive the token writes, and optionally where and until when. */
export interface TokenOptions {
  /** The drive (an open `Drive`, or its key in any spelling) the token may write. */
  drive: KeyLike | { readonly key: Uint8Array | null }
  /** Drive paths the token may write below (`/docs/` or `/docs`: `/docs/…`); default: all of it. */
  paths?: string[]
  /** When the token stops working, in ms since the epoch (`Date.now() + 3_600_000`); default never. */
  expires?: number
}

/** What a bearer token allows: a drive (hex key) or any (the gateway-wide token), paths, a deadline. */
export interface Grant {
  key: string | null
  paths: string[] | null
  expires: number | null
}

/** The gateway's bearer tokens, kept by their SHA-256 so that a lookup leaks no timing of a token. */
export class Tokens {
  private readonly _grants = new Map<string, Grant>()

  /** Adds `token` with `grant`. */
  add(token: string, grant: Grant): void {
    this._grants.set(digest(token), grant)
  }

  /** A new random token for one drive (see `TokenOptions`). */
  create(opts: TokenOptions): string {
    if (!opts || typeof opts !== 'object') {
      throw new TypeError('createToken() takes { drive, paths?, expires? }')
    }
    const { drive, paths, expires } = opts
    const ref = isKeyHolder(drive) ? drive.key : drive
    if (ref === null) throw new TypeError('createToken(): the drive has no key yet (await ready())')
    const key = toHex(ref) // INVALID_KEY for anything but a key
    if (paths !== undefined && (!Array.isArray(paths) || paths.length === 0)) {
      throw new TypeError('createToken(): opts.paths is a non-empty array of drive paths')
    }
    const scoped = paths?.map((p) => {
      if (typeof p !== 'string' || !p.startsWith('/')) {
        throw new TypeError(`createToken(): a path starts with / (${JSON.stringify(p)})`)
      }
      return p.replace(/\/+$/, '')
    })
    if (expires !== undefined && !Number.isFinite(expires)) {
      throw new TypeError('createToken(): opts.expires is a time in ms since the epoch')
    }
    const token = crypto.randomBytes(32).toString('base64url')
    this.add(token, { key, paths: scoped ?? null, expires: expires ?? null })
    return token
  }

  /** Withdraws `token`; true when it was one of ours. */
  revoke(token: string): boolean {
    return typeof token === 'string' && this._grants.delete(digest(token))
  }

  /** What `token` allows, or null when it is not (or no longer) one of ours. */
  find(token: string): Grant | null {
    return this._grants.get(digest(token)) ?? null
  }
}

/** Whether `grant` lets a write reach `path` (normalised, as `parseTarget` gives it). */
export function allowsPath(grant: Grant, path: string): boolean {
  if (grant.paths === null) return true
  return grant.paths.some((p) => p === '' || path === p || path.startsWith(`${p}/`))
}

function digest(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex')
}

function isKeyHolder(drive: TokenOptions['drive']): drive is { readonly key: Uint8Array | null } {
  return typeof drive === 'object' && drive !== null && !(drive instanceof Uint8Array)
}
