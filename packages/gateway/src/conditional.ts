import crypto from 'node:crypto'
import { toHex, type Drive } from '@dat-sdk/sdk'
import { HttpError } from './errors.js'
import { parseRange, type ByteRange } from './range.js'

export type DriveEntry = NonNullable<Awaited<ReturnType<Drive['entry']>>>

/** Strong, and the same for the same bytes at any version: the drive's key and where the blob lives. */
export function etagOf(drive: Drive, entry: DriveEntry): string {
  const blob = entry.value.blob
  const id = blob
    ? `${blob.blockOffset}.${blob.blockLength}.${blob.byteOffset}.${blob.byteLength}`
    : 'empty'
  const hash = crypto
    .createHash('sha256')
    .update(`${toHex(drive.key!)}/${id}`)
    .digest('base64url')
  return `"${hash.slice(0, 27)}"`
}

/** True when `If-None-Match` names `etag` (or is `*`): the client's copy is current. */
export function matchesEtag(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  // Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for If-None-Match.
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

/**
 * The byte range to send of a file of `size` bytes with ETag `etag`: null for the whole file (no
 * `Range`, or an `If-Range` naming another version); throws `416` for a range past its end.
 */
export function rangeOf(headers: Headers, etag: string, size: number): ByteRange | null {
  const ifRange = headers.get('if-range')
  const range =
    ifRange !== null && ifRange.trim() !== etag ? null : parseRange(headers.get('range'), size)
  if (range === 'unsatisfiable') {
    throw new HttpError(
      416,
      'RANGE_NOT_SATISFIABLE',
      `The file has ${size} bytes: the range asked for starts past its end`,
      { 'content-range': `bytes */${size}` },
    )
  }
  return range
}
