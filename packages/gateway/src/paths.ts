import { HttpError } from './errors.js'

/** What a request names: a drive (key, z32 or domain, as written), a path in it, a version. */
export interface Target {
  /** The drive as the URL wrote it: 64 hex, 52 z-base-32 or a domain. */
  drive: string
  /** The path inside the drive, normalised: starts with `/`, no `.`/`..`, no trailing `/` (but `/`). */
  path: string
  /** The URL named a folder (it ended with `/`, or named only the drive). */
  folder: boolean
  /** The URL named only the drive with no `/` after it: relative links need one, so redirect. */
  bare: boolean
  /** `?version=N`, or null for the latest. */
  version: number | null
}

const PREFIX = '/hyper/'

/**
 * Reads `/hyper/<drive>/<path>?version=N` (or `hyper://<drive>/<path>`) from a request URL, or
 * gives null when the URL is not of that shape (a 404). The path never leaves its drive: each
 * segment is percent-decoded once (so `%252e%252e` is the literal name `%2e%2e`), an encoded `/`
 * splits segments, `.` is dropped and `..` climbs at most to the drive's root; a decoded NUL or
 * backslash is refused (`INVALID_PATH`), as are undecodable escapes.
 */
export function parseTarget(url: URL): Target | null {
  let drive: string
  let rest: string
  if (url.protocol === 'hyper:' || url.protocol === 'dat:') {
    drive = url.hostname
    rest = url.pathname
    if (drive === '') return null
  } else {
    if (!url.pathname.startsWith(PREFIX)) return null
    const after = url.pathname.slice(PREFIX.length)
    const slash = after.indexOf('/')
    drive = slash === -1 ? after : after.slice(0, slash)
    rest = slash === -1 ? '' : after.slice(slash)
    drive = decodeOnce(drive)
    if (drive === '' || /[/\\\0]/.test(drive)) return null
  }
  const bare = rest === ''
  const segments: string[] = []
  for (const raw of rest.split('/')) {
    for (const segment of decodeOnce(raw).split('/')) {
      if (segment.includes('\0') || segment.includes('\\')) {
        throw new HttpError(400, 'INVALID_PATH', 'A path cannot hold a NUL or a backslash')
      }
      if (segment === '' || segment === '.') continue
      if (segment === '..') segments.pop()
      else segments.push(segment)
    }
  }
  const path = '/' + segments.join('/')
  const folder = bare || rest.endsWith('/') || path === '/'
  return { drive, path, folder, bare, version: parseVersion(url.searchParams.get('version')) }
}

/** `parseTarget`, or a `404` when the URL names no drive. */
export function requireTarget(url: URL): Target {
  const target = parseTarget(url)
  if (!target) {
    throw new HttpError(
      404,
      'NOT_FOUND',
      'Nothing here: drives are at /hyper/<key or domain>/<path>',
    )
  }
  return target
}

function decodeOnce(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'INVALID_PATH', 'The path has a malformed %-escape')
  }
}

function parseVersion(value: string | null): number | null {
  if (value === null) return null
  if (!/^\d{1,15}$/.test(value)) {
    throw new HttpError(400, 'INVALID_VERSION', '?version= takes a whole number (a drive version)')
  }
  return Number(value)
}

/** `dir` and `name` joined as a drive path. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`
}
