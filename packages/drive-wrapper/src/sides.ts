// The two sides mirror-drive copies between, as the folder sync sees them. Both leave symbolic
// links out (a link can point anywhere on the disk, and a link from a remote drive followed by a
// file "inside" it would write outside the folder), and both remember which file a failed read or
// write was about, so that one bad file is reported by name and the sync goes on with the rest.
import type Hyperdrive from 'hyperdrive'
import type {
  HyperdriveEntry,
  HyperdriveEntryValue,
  StreamxReadable,
  StreamxWritable,
} from 'hyperdrive'
import Localdrive, { type LocaldriveEntry } from 'localdrive'
import { DEFAULT_BLOCK_SIZE, writeInBlocks } from './blocks.js'

export interface StreamFailure {
  key: string
  side: 'read' | 'write'
  error: unknown
}

type Closable = { destroy(err?: Error | null): void; once(event: string, fn: () => void): unknown }

/** Tracks the streams a mirror opened, so a close can stop them, and the first one that failed. */
export class StreamTracker {
  private _failure: StreamFailure | null = null
  private readonly _open = new Set<Closable>()

  reset(): void {
    this._failure = null
  }

  /** The first stream failure since `reset()`. */
  takeFailure(): StreamFailure | null {
    const failure = this._failure
    this._failure = null
    return failure
  }

  track<S extends Closable & { on(event: 'error', fn: (err: unknown) => void): unknown }>(
    stream: S,
    key: string,
    side: 'read' | 'write',
  ): S {
    this._open.add(stream)
    stream.on('error', (error: unknown) => {
      this._failure ??= { key: normalize(key), side, error }
    })
    stream.once('close', () => this._open.delete(stream))
    return stream
  }

  destroyAll(): void {
    for (const s of this._open) s.destroy(new Error('Folder sync closed'))
    this._open.clear()
  }
}

function keyOf(key: string | { key: string }): string {
  return typeof key === 'string' ? key : key.key
}

function normalize(key: string): string {
  return (
    '/' +
    key
      .split('/')
      .filter((s) => s !== '')
      .join('/')
  )
}

/**
 * A folder on disk (localdrive) without symlinks, with its streams tracked. Files are written
 * atomically: into `<name>.<n>.localdrive.tmp` beside the file, renamed over it once complete, and
 * removed on an error, so a partial file is never visible under its name (a full disk, a peer that
 * went away, a killed process). A temporary file a killed process left is pruned by the next pass.
 */
export class LocalFolder extends Localdrive {
  private readonly tracker: StreamTracker

  constructor(root: string, tracker: StreamTracker) {
    super(root, { atomic: true })
    this.tracker = tracker
  }

  override async entry(
    key: string | { key: string },
    opts?: { follow?: boolean },
  ): Promise<LocaldriveEntry | null> {
    const entry = await super.entry(key, opts)
    return entry && entry.value.linkname === null ? entry : null
  }

  override async symlink(): Promise<void> {
    // Never create links from what a drive says (see the top of this file).
  }

  override createReadStream(
    key: string | { key: string },
    opts?: { start?: number; end?: number; length?: number },
  ): StreamxReadable<Uint8Array> {
    return this.tracker.track(super.createReadStream(key, opts), keyOf(key), 'read')
  }

  override createWriteStream(
    key: string,
    opts?: { executable?: boolean; metadata?: unknown },
  ): StreamxWritable<Uint8Array> {
    return this.tracker.track(super.createWriteStream(key, opts), key, 'write')
  }
}

/** A Hyperdrive (or a checkout of one) as mirror-drive sees it, without symlinks, streams tracked. */
export class DriveSide {
  readonly drive: Hyperdrive
  private readonly tracker: StreamTracker
  /** The block size files are written in: the Drive's (it set its blobs'), kept by batches. */
  private readonly blockSize: number

  constructor(drive: Hyperdrive, tracker: StreamTracker, blockSize?: number) {
    this.drive = drive
    this.tracker = tracker
    this.blockSize = blockSize ?? drive.blobs?.blockSize ?? DEFAULT_BLOCK_SIZE
  }

  /** The batch a mirror is writing into, until it is flushed. */
  private _batch: DriveSide | null = null

  get core(): Hyperdrive['core'] {
    return this.drive.core
  }

  /** mirror-drive with `batch: true` writes into this, then flushes it: one version per pass. */
  batch(): DriveSide {
    this._batch = new DriveSide(this.drive.batch(), this.tracker, this.blockSize)
    return this._batch
  }

  /** Flushes (or, after it was flushed, forgets) the batch of a mirror that stopped early. */
  async settleBatch(): Promise<void> {
    const batch = this._batch
    this._batch = null
    if (batch && batch.drive.closing === null) await batch.flush()
  }

  flush(): Promise<void> {
    return this.drive.flush()
  }

  get supportsMetadata(): boolean {
    return this.drive.supportsMetadata
  }

  ready(): Promise<void> {
    return this.drive.ready()
  }

  getBlobs(): ReturnType<Hyperdrive['getBlobs']> {
    return this.drive.getBlobs()
  }

  list(path?: string, opts?: Parameters<Hyperdrive['list']>[1]): StreamxReadable<HyperdriveEntry> {
    return this.drive.list(path, opts)
  }

  async entry(key: string | HyperdriveEntry): Promise<HyperdriveEntry | null> {
    const entry = await this.drive.entry(key)
    return entry && entry.value.linkname === null ? entry : null
  }

  del(key: string): Promise<void> {
    return this.drive.del(key)
  }

  async symlink(): Promise<void> {
    // Symlinks are not synced; the folder side never reports one, so this is never reached.
  }

  putEntry(key: string, value: Partial<HyperdriveEntryValue>): Promise<void> {
    return this.drive.putEntry(key, value)
  }

  createReadStream(key: string | HyperdriveEntry): StreamxReadable<Uint8Array> {
    return this.tracker.track(this.drive.createReadStream(key), keyOf(key), 'read')
  }

  createWriteStream(
    key: string,
    opts?: { executable?: boolean; metadata?: unknown },
  ): StreamxWritable<Uint8Array> {
    const ws = writeInBlocks(this.drive.createWriteStream(key, opts), this.blockSize)
    return this.tracker.track(ws, key, 'write')
  }
}
