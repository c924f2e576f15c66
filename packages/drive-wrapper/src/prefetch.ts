// A default of `Drive`: a drive this process reads (not writes) keeps its file index, the db core,
// downloading in the background as it grows. Looking a path up then walks a tree that is already
// stored, instead of fetching tree nodes one round trip at a time: `list()` and each `get()` of a
// remote drive of 1,000 files made about 3,000 sequential requests before. The index holds
// entries only (a few hundred bytes each), not file contents: those a listing fetches a few
// files ahead of its reader (`prefetchListed`), or a read fetches.
import type { BlobId, StreamxReadable } from 'hyperdrive'
import { Transform, pipeline } from 'streamx'

type BlobRange = Pick<BlobId, 'blockOffset' | 'blockLength' | 'byteLength'>

/** A range download of hypercore's: wait for it, or stop it. */
export interface IndexDownload {
  done(): Promise<void>
  destroy(): void
}

/** What `followIndex` needs of a hyperdrive: whether we write it, and its db core. */
export interface IndexedDrive {
  readonly writable: boolean
  readonly core: { download(range: { start: number; end: number }): IndexDownload }
}

/**
 * Starts downloading the whole db core of a drive we do not write, and keeps following it
 * (`end: -1`). Returns the download, for the caller to destroy on close, or null for a drive we
 * write (its index is ours already).
 */
export function followIndex(drive: IndexedDrive): IndexDownload | null {
  if (drive.writable) return null
  const range = drive.core.download({ start: 0, end: -1 })
  // A live range never completes; a close cuts it short, which is no error to report.
  range.done().catch(() => {})
  return range
}

/** What `fetchIndex` needs of a drive's db core. */
export interface IndexCore {
  readonly contiguousLength: number
  readonly peers: readonly { readonly remoteContiguousLength: number }[]
  download(range: { start: number; end: number }): IndexDownload
}

/**
 * Before a pass that lists a whole remote drive: the db core's first `length` blocks (its index
 * as of that version), fetched as one range and waited for. A listing of a checkout walks the
 * tree one node at a time, each a round trip, and blocks that other requests bring in do not
 * shorten that walk: on a loopback testnet, listing a checkout of 1,000 files took ~550 to 600
 * ms; the range took ~150 ms and the listing after it ~110 ms (a folder sync's pass, medians).
 * Only when a connected peer holds every one of those blocks (a range of blocks nobody has would
 * never end); otherwise the listing fetches what it walks, as before. `track` receives the
 * range, for a close to stop it.
 */
export async function fetchIndex(
  core: IndexCore,
  length: number,
  track: (range: IndexDownload | null) => void,
): Promise<void> {
  if (core.contiguousLength >= length) return
  if (!core.peers.some((peer) => peer.remoteContiguousLength >= length)) return
  const range = core.download({ start: 0, end: length })
  track(range)
  try {
    await range.done()
  } finally {
    track(null)
  }
}

/** Files up to this size are fetched ahead by a listing; bigger ones when they are read. */
export const PREFETCH_FILE_BYTES = 1024 * 1024
/** At most this many bytes fetched ahead per listing, and this many files in flight at once. */
export const PREFETCH_LIST_BYTES = 64 * 1024 * 1024
export const PREFETCH_WINDOW = 32

/** What `prefetchListed` needs of a hyperdrive. */
export interface BlobDrive {
  readonly writable: boolean
  getBlobs(): Promise<{
    core: { download(range: { start: number; end: number }): IndexDownload }
  } | null>
}

/**
 * A listing of a drive we do not write also fetches the contents of the small files it lists,
 * a few ahead of the reader: a listing is nearly always followed by reading what it listed, and
 * each `get()` of a remote file otherwise waits one round trip. The listing stream buffers a few
 * entries ahead of its consumer; each one passing through starts a range download of its blob
 * (files up to PREFETCH_FILE_BYTES, at most PREFETCH_WINDOW at once and PREFETCH_LIST_BYTES per
 * listing). A file skipped here is fetched when it is read, as before.
 */
export function prefetchListed<E extends { value: { blob: BlobRange | null } }>(
  drive: BlobDrive,
  list: StreamxReadable<E>,
): StreamxReadable<E> {
  if (drive.writable) return list
  let budget = PREFETCH_LIST_BYTES
  let inflight = 0
  const ahead = (entry: E, blobs: Awaited<ReturnType<BlobDrive['getBlobs']>>) => {
    const blob = entry.value.blob
    if (!blobs || !blob || blob.byteLength > PREFETCH_FILE_BYTES) return
    if (blob.byteLength > budget || inflight >= PREFETCH_WINDOW) return
    budget -= blob.byteLength
    inflight++
    const range = blobs.core.download({
      start: blob.blockOffset,
      end: blob.blockOffset + blob.blockLength,
    })
    // A range cut short (the drive closed) is no error: the read, if any, reports its own.
    range.done().then(
      () => inflight--,
      () => inflight--,
    )
  }
  const out = new Transform<E, E>({
    transform(entry, cb) {
      drive.getBlobs().then(
        (blobs) => {
          ahead(entry, blobs)
          cb(null, entry)
        },
        () => cb(null, entry),
      )
    },
  })
  return pipeline(list, out)
}
