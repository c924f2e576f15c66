// A default of `Drive`: a file's bytes are written in blocks of DEFAULT_BLOCK_SIZE (1 MiB), where
// hyperblobs splits `put()` into 64 KiB blocks and a write stream stores each chunk written as a
// block (64 KiB from a file's read stream). Every block costs the same fixed work on both sides,
// whatever its size: a hash and a tree node to sign and verify, a request and a reply, a RocksDB
// entry, and a decryption when the drive is encrypted. Bigger blocks do the same bytes with 16x
// fewer of those (bench/blocksize.bench.ts). Every hyperdrive reader reads any block size: the
// blob id records where the bytes are, not how they were split.
import type { StreamxWritable } from 'hyperdrive'
import { Writable } from 'streamx'

/** The block size a Drive writes files in, unless its `blockSize` option says otherwise. */
export const DEFAULT_BLOCK_SIZE = 1024 * 1024
/** Hypercore sends a block in one message; keep blocks well under what peers accept in one. */
export const MAX_BLOCK_SIZE = 4 * 1024 * 1024

/** `blockSize` checked: a whole number of bytes from 1 KiB to 4 MiB. */
export function toBlockSize(blockSize: number | undefined): number {
  if (blockSize === undefined) return DEFAULT_BLOCK_SIZE
  if (!Number.isSafeInteger(blockSize) || blockSize < 1024 || blockSize > MAX_BLOCK_SIZE) {
    throw new TypeError('Drive blockSize must be a whole number of bytes from 1 KiB to 4 MiB')
  }
  return blockSize
}

/**
 * A write stream that hands `inner` (a hyperdrive write stream) its bytes in blocks of exactly
 * `blockSize` (the last one shorter), whatever sizes they are written in. It finishes when
 * `inner` has stored the file, and fails or is destroyed with it.
 */
export function writeInBlocks(
  inner: StreamxWritable<Uint8Array>,
  blockSize: number,
): StreamxWritable<Uint8Array> {
  let held: Uint8Array[] = []
  let heldBytes = 0
  let drained: ((err?: Error | null) => void) | null = null
  let stored: ((err?: Error | null) => void) | null = null
  let finished = false

  const settle = (err: Error | null, which: 'drained' | 'stored' | 'both') => {
    const cbs = []
    if (which !== 'stored' && drained) cbs.push(drained)
    if (which !== 'drained' && stored) cbs.push(stored)
    if (which !== 'stored') drained = null
    if (which !== 'drained') stored = null
    for (const cb of cbs) cb(err)
  }
  /** Takes `bytes` off the front of what is held, as one buffer. */
  const take = (bytes: number): Uint8Array => {
    const parts: Uint8Array[] = []
    let need = bytes
    while (need > 0) {
      const head = held[0]
      if (head.byteLength <= need) {
        parts.push(head)
        held.shift()
        need -= head.byteLength
      } else {
        parts.push(head.subarray(0, need))
        held[0] = head.subarray(need)
        need = 0
      }
    }
    heldBytes -= bytes
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  }

  const outer = new Writable<Uint8Array>({
    write(data, cb) {
      held.push(data)
      heldBytes += data.byteLength
      let more = true
      while (heldBytes >= blockSize) more = inner.write(take(blockSize))
      if (more) return cb(null)
      drained = cb
    },
    final(cb) {
      if (heldBytes > 0) inner.write(take(heldBytes))
      held = []
      stored = cb
      inner.end()
    },
    predestroy() {
      if (!finished) inner.destroy()
    },
  })
  inner.on('drain', () => settle(null, 'drained'))
  inner.on('finish', () => {
    finished = true
    settle(null, 'stored')
  })
  inner.on('error', (err: Error) => outer.destroy(err))
  inner.on('close', () => {
    if (!finished) {
      const err = new Error('Closed')
      settle(err, 'both')
      outer.destroy(err)
    }
  })
  return outer
}
