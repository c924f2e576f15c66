import fs from 'fs'
import path from 'path'
import { DatSdkError, isDatSdkError, parseRef, toURL, type ErrorCode } from '@dat-sdk/store'
import type Hyperdrive from 'hyperdrive'
import MirrorDrive, { type MirrorOp } from 'mirror-drive'
import type {
  FileSyncError,
  FolderSyncEvents,
  Listener,
  SyncProgress,
  SyncResult,
} from '@dat-sdk/interfaces'
import ReadyResource from 'ready-resource'
import { compileIgnore, DAT_FILE, type IgnoreFn } from './ignore.js'
import { DriveSide, StreamTracker } from './sides.js'
import {
  lstat,
  noop,
  type Plan,
  type Side,
  type SyncContext,
  type SyncStrategy,
} from './strategy.js'
import { Upload } from './upload.js'
import { Download } from './download.js'

/** Options for a folder sync: its direction, whether it stays live, and whether it prunes. */
export interface SyncFolderOptions {
  /** Keep syncing every change after the first pass (default true). */
  live?: boolean
  /** Delete on the receiving side what the sending side no longer has (default true). */
  prune?: boolean
  /** Paths that never enter the drive nor the folder (see the README for the syntax). */
  ignore?: string[]
}

export type { SyncProgress, SyncResult, FileSyncError }

/** What the Drive that makes a FolderSync adds to it (not an option of `syncFolder()`). */
export interface FolderSyncHooks {
  /**
   * The Drive's header check: throws `DECRYPTION_FAILED` when the drive was opened with a missing
   * or wrong key. Runs before each pass copies anything, and on a failed first pass (to say why).
   */
  check?(opts: { wait: boolean; timeout?: number }): Promise<void>
}

/** `'upload'`: the folder is copied into a writable drive; `'download'`: a drive into the folder. */
export type SyncDirection = 'upload' | 'download'

// A file the folder sync could not read from, or write to, the folder (on 'error', with its path).
const FILE_UNREADABLE: ErrorCode = 'FILE_UNREADABLE'
const FILE_UNWRITABLE: ErrorCode = 'FILE_UNWRITABLE'

/**
 * Keeps a folder and a drive the same. A writable drive takes the folder's files, then every
 * change made in the folder; a read-only drive writes its files into the folder, then every
 * change that arrives. Built on localdrive (the folder as a drive), mirror-drive (what differs,
 * and the copying) and localwatch (which paths changed).
 */
export class FolderSync extends ReadyResource {
  /** The folder, as an absolute path. */
  readonly dir: string
  /** Whether the sync keeps watching for changes after the first pass. */
  readonly live: boolean
  /** Whether files missing from the source are removed from the target. */
  readonly prune: boolean
  /** Known once the drive is open. */
  direction: SyncDirection | null = null

  private readonly _drive: Hyperdrive
  private readonly _ignore: IgnoreFn
  private readonly _tracker = new StreamTracker()
  private _aborted = false
  /** Upload or download, chosen once the drive is open (writable or not). */
  private _strategy: SyncStrategy | null = null
  private _loop: Promise<void> | null = null

  private readonly _hooks: FolderSyncHooks

  constructor(
    drive: Hyperdrive,
    dir: string,
    opts: SyncFolderOptions = {},
    hooks: FolderSyncHooks = {},
  ) {
    super()
    this._hooks = hooks
    if (typeof dir !== 'string' || dir === '') {
      throw new TypeError('syncFolder() needs a folder path')
    }
    this._drive = drive
    this.dir = path.resolve(dir)
    this.live = opts.live !== false
    this.prune = opts.prune !== false
    this._ignore = compileIgnore(opts.ignore ?? [])
    this.ready().catch((err: unknown) => {
      if (!isDatSdkError(err, 'CLOSED')) this._emitError(err)
    })
  }

  /** Stops watching and waits for a copy in flight to stop. */
  override close(): Promise<void> {
    this._abort()
    return super.close()
  }

  protected override async _open(): Promise<void> {
    try {
      await this._start()
    } catch (err) {
      // Whatever a close() broke on its way (a destroyed stream, a closed session) is CLOSED.
      if (this._aborted)
        throw new DatSdkError('CLOSED', 'The folder sync was closed', { cause: err })
      // A drive read with a wrong key fails as it is listed: say so (a bounded wait for block 0).
      await this._hooks.check?.({ wait: true, timeout: 2_000 })
      throw err
    }
  }

  private async _start(): Promise<void> {
    await this._drive.ready()
    this._checkOpen()
    const existed = (await lstat(this.dir)) !== null
    await fs.promises.mkdir(this.dir, { recursive: true })
    await this._claimFolder()
    this._checkOpen()
    const context = this._context()
    if (this._drive.writable) {
      this.direction = 'upload'
      this._strategy = new Upload(context, existed)
    } else {
      this.direction = 'download'
      this._strategy = new Download(context)
    }
    await this._strategy.start()
    if (this.live) this._loop = this._strategy.follow()
  }

  protected override async _close(): Promise<void> {
    this._abort()
    if (this._loop) await this._loop
    await this._strategy?.close()
  }

  private _abort(): void {
    if (this._aborted) return
    this._aborted = true
    this._tracker.destroyAll()
    this._strategy?.abort()
  }

  /** What the strategies see of this sync (kept off the public class). */
  private _context(): SyncContext {
    const sync = this
    return {
      dir: this.dir,
      live: this.live,
      drive: this._drive,
      ignore: this._ignore,
      tracker: this._tracker,
      get aborted() {
        return sync._aborted
      },
      checkOpen: () => this._checkOpen(),
      keyOf: (filename) => this._keyOf(filename),
      mirror: (src, dst, plan) => this._mirror(src, dst, plan),
      synced: (result) => this.emit('synced', result),
      error: (err) => this._emitError(err),
      fileError: (code, key, cause) => this._fileError(code, key, cause),
    }
  }

  private _checkOpen(): void {
    if (this._aborted) throw new DatSdkError('CLOSED', 'The folder sync was closed')
  }

  /** `<dir>/.dat` names the folder's drive: written when missing, refused when it names another. */
  private async _claimFolder(): Promise<void> {
    const file = path.join(this.dir, DAT_FILE)
    const url = toURL(this._drive.key as Uint8Array)
    let text: string | null = null
    try {
      text = await fs.promises.readFile(file, 'utf-8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (text === null) {
      await fs.promises.writeFile(file, url + '\n')
      return
    }
    const ref = parseRef(text.trim())
    if (!ref || !('key' in ref) || toURL(ref.key) !== url) {
      const why = `${file} names ${text.trim()}, not this drive (${url}): open the drive it names instead`
      throw new SyncError('INVALID_KEY', why, '/' + DAT_FILE, file)
    }
  }

  private _keyOf(filename: string): string {
    const rel = path.relative(this.dir, filename)
    return (
      '/' +
      rel
        .split(path.sep)
        .filter((s) => s !== '')
        .join('/')
    )
  }

  // ---- the copying ---------------------------------------------------------------------------

  /**
   * Runs mirror-drive from `src` to `dst`. When a file fails (it cannot be read, it vanished, it
   * cannot be written), that file is reported and the mirror starts again without it and without
   * what it already did, so the rest still goes through.
   */
  private async _mirror(src: Side, dst: Side, plan: Plan): Promise<SyncResult> {
    await this._hooks.check?.({ wait: true })
    const result: SyncResult = { added: [], changed: [], removed: [] }
    let totalBytes = 0
    for (const n of plan.sizes.values()) totalBytes += n
    const progress: Required<SyncProgress> = {
      files: 0,
      bytes: 0,
      totalFiles: plan.sizes.size,
      totalBytes,
    }
    this.emit('progress', { ...progress })
    const settled = new Set<string>()
    const fileDone = (key: string, added: number): void => {
      progress.files++
      progress.bytes += plan.sizes.get(key) ?? added
      this.emit('progress', { ...progress })
    }
    const finish = (op: MirrorOp): void => {
      settled.add(op.key)
      if (op.op === 'remove') {
        result.removed.push(op.key)
        return
      }
      if (op.op === 'add') result.added.push(op.key)
      else if (op.op === 'change') result.changed.push(op.key)
      fileDone(op.key, op.bytesAdded)
    }

    for (;;) {
      this._checkOpen()
      this._tracker.reset()
      const mirror = new MirrorDrive(src, dst, {
        prune: this.prune && plan.prune !== false,
        includeEquals: true,
        preload: false,
        // Into a drive: one batch per pass, so a reader sees each pass as one version.
        batch: dst instanceof DriveSide,
        ignore: this._ignore,
        filter: (key) => !settled.has(key) && !this._ignore(key),
        entries: plan.entries,
      })
      // mirror-drive yields an op before it copies (or removes) that file: an op is done when
      // the next one arrives or the mirror ends.
      let current: MirrorOp | null = null
      try {
        for await (const op of mirror) {
          if (current) finish(current)
          current = op
          if (this._aborted) break
        }
        this._checkOpen()
        if (current) finish(current)
        return sorted(result)
      } catch (err) {
        // Keep what the stopped mirror already copied (its batch is not flushed on an error).
        if (dst instanceof DriveSide) await dst.settleBatch().catch(noop)
        this._checkOpen()
        const failure = this._tracker.takeFailure()
        const key = failure?.key ?? current?.key ?? null
        if (key === null || settled.has(key)) {
          // Not one file's fault (or the same file twice): report it and end this pass.
          this._fileError(FILE_UNREADABLE, key ?? '/', err)
          return sorted(result)
        }
        if (current && current.key !== key) finish(current)
        settled.add(key)
        const code = failure?.side === 'write' ? FILE_UNWRITABLE : FILE_UNREADABLE
        this._fileError(code, key, failure?.error ?? err)
        if (plan.sizes.has(key)) fileDone(key, 0)
      }
    }
  }

  // ---- errors --------------------------------------------------------------------------------

  private _fileError(code: ErrorCode, key: string, cause: unknown): void {
    const filename = path.join(this.dir, key)
    const why = cause instanceof Error ? cause.message : String(cause)
    const verb = code === FILE_UNWRITABLE ? 'write' : 'read'
    this._emitError(
      new SyncError(code, `Could not ${verb} ${key} (${filename}): ${why}`, key, filename, cause),
    )
  }

  /**
   * Every error a sync emits is a `FileSyncError` (a pass that failed as a whole names `/`). A
   * folder sync never takes the process down: without an 'error' listener, errors are dropped.
   */
  private _emitError(err: unknown): void {
    if (this.listenerCount('error') === 0) return
    if (err instanceof SyncError) {
      this.emit('error', err)
      return
    }
    // A pass that failed as a whole: the folder is the file, `/` the path.
    const why = err instanceof Error ? err.message : String(err)
    const code = isDatSdkError(err)
      ? err.code
      : this.direction === 'download'
        ? FILE_UNWRITABLE
        : FILE_UNREADABLE
    this.emit(
      'error',
      new SyncError(code, `Folder sync of ${this.dir} failed: ${why}`, '/', this.dir, err),
    )
  }
}

function sorted(result: SyncResult): SyncResult {
  return {
    added: result.added.sort(),
    changed: result.changed.sort(),
    removed: result.removed.sort(),
  }
}

export type { FolderSyncEvents }

/** A `FileSyncError`: what a folder sync emits as `'error'`, with the file it concerns. */
export class SyncError extends DatSdkError implements FileSyncError {
  readonly path: string
  readonly filename: string

  constructor(code: ErrorCode, message: string, path: string, filename: string, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause })
    this.path = path
    this.filename = filename
  }
}

// Typed events (`FolderSyncEvents` in @dat-sdk/interfaces), merged into the class above.
export interface FolderSync {
  /** Listens for a sync event (`'progress'`, `'synced'`, `'error'`, `'ready'`, `'close'`). */
  on<K extends keyof FolderSyncEvents>(event: K, listener: Listener<FolderSyncEvents, K>): this
  /** Listens for a sync event once. */
  once<K extends keyof FolderSyncEvents>(event: K, listener: Listener<FolderSyncEvents, K>): this
  /** Stops listening for a sync event. */
  off<K extends keyof FolderSyncEvents>(event: K, listener: Listener<FolderSyncEvents, K>): this
  /** Emits a sync event (the sync's own use). */
  emit<K extends keyof FolderSyncEvents>(event: K, ...args: FolderSyncEvents[K]): boolean
}
