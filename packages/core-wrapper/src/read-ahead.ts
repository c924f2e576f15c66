// A default of `Core.createReadStream()`: download the range the stream will read, in one request
// window, instead of one round trip per block. hypercore's own read stream asks for block i only
// once block i - 1 has arrived, so a remote core of 20,000 blocks costs 20,000 round trips; with
// the range downloading beside it, the stream finds most blocks already stored.
import type { Readable } from 'node:stream'
import type { Hypercore } from '@dat-sdk/store'
import type { Download, ReadStreamOptions } from 'hypercore'

/**
 * Downloads `[start, end)` of `core` while `stream` reads it, and stops when the stream closes.
 * Nothing happens for a live stream (its end is unknown), a stream that must not wait for peers,
 * or a core this process writes (every block is already here). Without an `end`, the range ends
 * at the core's length once it is known (after one update when the core looks empty).
 */
export function readAhead(
  core: Hypercore<unknown>,
  stream: Readable,
  opts: ReadStreamOptions = {},
): void {
  if (opts.live || opts.wait === false) return
  const start = opts.start ?? 0
  let range: Download | null = null
  let closed = false
  stream.once('close', () => {
    closed = true
    range?.destroy()
  })
  const begin = async () => {
    await core.ready()
    if (core.writable) return
    if (typeof opts.end !== 'number' && core.length <= start) await core.update()
    const end = typeof opts.end === 'number' ? opts.end : core.length
    if (closed || end <= start) return
    range = core.download({ start, end })
    // The stream reports its own errors; a range cut short by a close has nothing to add.
    range.done().catch(() => {})
  }
  begin().catch(() => {})
}
