// `drive.download(path)`: hyperdrive's download of every file below a path, with a `progress()`
// that counts files and payload bytes done against the totals listed when it started.
import type Hyperdrive from 'hyperdrive'
import type { DownloadHandle, HyperdriveEntry } from 'hyperdrive'
import type { Hypercore, HypercorePeer } from '@dat-sdk/store'
import { localBlocks } from '@dat-sdk/core-wrapper'

/** How far a `drive.download()` has got: files and payload bytes done, and the totals. */
export interface DownloadProgress {
  /** Files whole here. */
  files: number
  /** Payload bytes here, of the files listed. */
  bytes: number
  /** Files listed when the download started. */
  totalFiles: number
  /** Payload bytes of those files. */
  totalBytes: number
}

interface FileState {
  start: number
  end: number
  byteLength: number
  got: number
  bytes: number
}

/**
 * A download of the files below a path. `done()` resolves when every file is here; `progress()`
 * never goes backwards and ends at its totals. The files are the ones listed when it started.
 */
export class DriveDownload {
  private readonly _drive: Hyperdrive
  private readonly _path: string
  private _files: FileState[] = []
  private _totalBytes = 0
  private _doneFiles = 0
  private _doneBytes = 0
  private _inner: DownloadHandle | null = null
  private _blobs: Hypercore | null = null
  private _destroyed = false
  private readonly _started: Promise<void>
  private readonly _ondownload = (index: number, byteLength: number, _from: HypercorePeer) =>
    this._onblock(index, byteLength)

  private readonly _ready: () => Promise<unknown>

  /** `ready`: the Drive's own open (an SDK drive's waits for its first lookup for peers). */
  constructor(
    drive: Hyperdrive,
    path: string,
    ready: () => Promise<unknown> = () => drive.ready(),
  ) {
    this._drive = drive
    this._path = path
    this._ready = ready
    this._started = this._start()
    this._started.catch(noop)
  }

  /** Files and bytes done and total, now (never less than before). */
  progress(): DownloadProgress {
    return {
      files: this._doneFiles,
      bytes: this._doneBytes,
      totalFiles: this._files.length,
      totalBytes: this._totalBytes,
    }
  }

  /** Resolves once every file listed is here. */
  async done(): Promise<void> {
    await this._started
    if (this._inner) await this._inner.done()
    this._stop()
    // Whatever hyperdrive fetched is here now: count any file whose last block came unreported.
    for (const f of this._files) if (f.got < f.end - f.start) this._complete(f)
  }

  /** Stops downloading. */
  destroy(): void {
    this._destroyed = true
    this._inner?.destroy()
    this._stop()
  }

  private async _start(): Promise<void> {
    const drive = this._drive
    await this._ready()
    if (this._destroyed) return
    // The files to fetch are those of the latest version peers know, not of the version here: a
    // drive that knows no version yet waits for a peer to tell it one.
    await drive.update({ wait: drive.core.length === 0 && !drive.writable }).catch(noop)
    if (this._destroyed) return
    const entries: HyperdriveEntry[] = []
    const file = this._path.endsWith('/') ? null : await drive.entry(this._path)
    if (file) entries.push(file)
    else for await (const e of drive.list(this._path, { recursive: true })) entries.push(e)
    if (this._destroyed) return
    const blobs = entries.some((e) => e.value.blob) ? await drive.getBlobs() : null
    if (this._destroyed) return
    for (const e of entries) {
      const blob = e.value.blob
      if (!blob) continue
      const start = blob.blockOffset
      this._files.push({
        start,
        end: start + blob.blockLength,
        byteLength: blob.byteLength,
        got: 0,
        bytes: 0,
      })
      this._totalBytes += blob.byteLength
    }
    this._files.sort((a, b) => a.start - b.start)
    if (blobs) {
      this._blobs = blobs.core
      blobs.core.on('download', this._ondownload)
      for (const f of this._files) this._count(f, localBlocks(blobs.core, f.start, f.end))
    }
    this._inner = drive.download(this._path)
  }

  private _stop(): void {
    this._blobs?.removeListener('download', this._ondownload)
    this._blobs = null
  }

  private _onblock(index: number, byteLength: number): void {
    const f = this._find(index)
    if (!f || f.got >= f.end - f.start) return
    f.got++
    const added = Math.min(byteLength, f.byteLength - f.bytes)
    f.bytes += added
    this._doneBytes += added
    if (f.got === f.end - f.start) this._complete(f)
  }

  /** `blocks` of `f` were here when the download started (their bytes estimated evenly). */
  private _count(f: FileState, blocks: number): void {
    const n = f.end - f.start
    if (blocks >= n) return this._complete(f)
    if (blocks <= 0) return
    f.got = blocks
    f.bytes = Math.floor((f.byteLength * blocks) / n)
    this._doneBytes += f.bytes
  }

  private _complete(f: FileState): void {
    const n = f.end - f.start
    // An estimate (or a block counted twice) never makes a file read more than its size.
    this._doneBytes = this._doneBytes - f.bytes + f.byteLength
    f.bytes = f.byteLength
    f.got = n
    this._doneFiles++
  }

  private _find(index: number): FileState | null {
    let lo = 0
    let hi = this._files.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const f = this._files[mid]!
      if (index < f.start) hi = mid - 1
      else if (index >= f.end) lo = mid + 1
      else return f
    }
    return null
  }
}

function noop(): void {}
