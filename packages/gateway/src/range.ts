/** A byte range of a file, both ends included (as in `Content-Range`). */
export interface ByteRange {
  start: number
  end: number
}

/**
 * What a `Range` header asks of a file of `size` bytes: `null` for the whole file (no header, a
 * header that is not `bytes=`, a malformed one, or several ranges: RFC 9110 lets a server answer
 * those with the whole file, and this one does), `'unsatisfiable'` for a range that starts past the
 * end (a 416), else the one range, clamped to the file.
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | 'unsatisfiable' | null {
  if (header === null) return null
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (!m) return null // a multi-range, another unit, or garbage: the whole file
  const [, first, last] = m
  if (first === '' && last === '') return null
  if (first === '') {
    // A suffix: the last N bytes.
    const n = Number(last)
    if (n === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? Infinity : Number(last)
  if (!Number.isSafeInteger(start) || (last !== '' && !Number.isSafeInteger(end))) return null
  if (end < start) return null // RFC 9110: an invalid range-spec; the header is ignored
  if (start >= size) return 'unsatisfiable'
  return { start, end: Math.min(end, size - 1) }
}
