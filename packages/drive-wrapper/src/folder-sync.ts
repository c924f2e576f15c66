import fs from 'node:fs'
import path from 'node:path'
import { DatSdkError, isDatSdkError, parseRef, toURL, type ErrorCode } from '@dat-sdk/store'
import type Hyperdrive from 'hyperdrive'
import type { HyperdriveWatcher } from 'hyperdrive'
import Localwatch from 'localwatch'
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
import { DriveSide, LocalFolder, StreamTracker } from './sides.js'

export interface SyncFolderOptions {
  /** Keep syncing every change after the first pass (default true). */
  live?: boolean
  /** Delete on the receiving side what the sending side no longer has (default true). */
  prune?: boolean
  /** Paths that never enter the drive nor the folder (see the README for the syntax). */
  ignore?: string[]
}

export type { SyncProgress, SyncResult, FileSyncError }

/** `'upload'`: the folder is copied into a writable drive; `'download'`: a drive into the folder. */
export type SyncDirection = 'upload' | 'download'

// A file the folder sync could not read from, or write to, the folder (on 'error', with its path).
const FILE_UNREADABLE: ErrorCode = 'FILE_UNREADABLE'
const FILE_UNWRITABLE: ErrorCode = 'FILE_UNWRITABLE'

/**
 * localwatch 1.4.3 crashes the process on destroy when the folder vanished before its first
 * scan: the root of its tree then has neither a stat nor entries, and `_destroy` reads
 * `stat.isDirectory()` of null inside a stream callback, where no caller can catch it. The root's
 * own watcher is closed before that line, and a root without entries has no children to close,
 * so finishing the teardown here loses nothing.
 */
class FolderWatch extends Localwatch<string> {
  protected override _destroy(cb: (err: Error | null) => void): void {
    try {
      super._destroy(cb)
    } catch {
      cb(null)
    }
  }
}

interface Plan {
  /** Only these paths (a live batch), or null for the whole tree. */
  entries: string[] | null
  /** False to never delete on the receiving side in this pass (whatever `prune` says). */
  prune?: boolean
  /** The size of each file on the sending side: the pass's totals. */
  sizes: Map<string, number>
}

type Side = LocalFolder | DriveSide

/**
 * Keeps a folder and a drive the same. A writable drive takes the folder's files, then every
 * change made in the folder; a read-only drive writes its files into the folder, then every
 * change that arrives. Built on localdrive (the folder as a drive), mirror-drive (what differs,
 * and the copying) and localwatch (which paths changed).
 */
export class FolderSync extends ReadyResource {
  /** The folder, as an absolute path. */
  readonly dir: string
  readonly live: boolean
  readonly prune: boolean
  /** Known once the drive is open. */
  direction: SyncDirection | null = null

  private readonly _drive: Hyperdrive
  private readonly _ignore: IgnoreFn
  private readonly _tracker = new StreamTracker()
  private _aborted = false
  private _folderWatch: Localwatch<string> | null = null
  private _driveWatch: HyperdriveWatcher | null = null
  private readonly _checkouts = new Set<Hyperdrive>()
  private _loop: Promise<void> | null = null
  private _fullPassDone = false

  constructor(drive: Hyperdrive, dir: string, opts: SyncFolderOptions = {}) {
    super()
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
      throw err
    }
  }

  private async _start(): Promise<void> {
    await this._drive.ready()
    this._checkOpen()
    const existed = await exists(this.dir)
    await fs.promises.mkdir(this.dir, { recursive: true })
    await this._claimFolder()
    this._checkOpen()
    if (this._drive.writable) {
      this.direction = 'upload'
      if (this.live) {
        const watch = new FolderWatch(this.dir, {
          hidden: true,
          eagerOpen: true,
          filter: (filename) => !this._ignore(this._keyOf(filename)),
          map: (change) => this._keyOf(change.filename),
        })
        watch.on('error', noop) // surfaces again through the iterator
        this._folderWatch = watch
        await watch.opened
        this._checkOpen()
      }
      // A folder that was not there tells nothing about what the drive should lose.
      await this._upload({ entries: null, sizes: await this._scanFolder(), prune: existed })
      if (this.live) this._loop = this._followFolder()
    } else {
      this.direction = 'download'
      if (this.live) {
        this._driveWatch = this._drive.watch('/')
        await this._driveWatch.ready()
        this._checkOpen()
      }
      await this._downloadFull(null)
      if (this.live) this._loop = this._followDrive()
    }
  }

  protected override async _close(): Promise<void> {
    this._abort()
    if (this._loop) await this._loop
    await Promise.allSettled([...this._checkouts].map((c) => c.close()))
  }

  private _abort(): void {
    if (this._aborted) return
    this._aborted = true
    this._tracker.destroyAll()
    this._folderWatch?.destroy()
    this._driveWatch?.close().catch(noop)
    for (const c of this._checkouts) c.close().catch(noop)
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

  // ---- folder -> drive ----------------------------------------------------------------------

  /** Every regular file under the folder with its size; anything else that is not a folder or a link is reported. */
  private async _scanFolder(): Promise<Map<string, number>> {
    const sizes = new Map<string, number>()
    const walk = async (dirKey: string): Promise<void> => {
      let dirents: fs.Dirent[]
      try {
        dirents = await fs.promises.readdir(path.join(this.dir, dirKey), { withFileTypes: true })
      } catch (err) {
        if (dirKey !== '' && (err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this._fileError(FILE_UNREADABLE, dirKey, err)
        }
        return
      }
      for (const d of dirents) {
        const key = dirKey + '/' + d.name
        if (this._ignore(key)) continue
        if (d.isDirectory()) await walk(key)
        else if (d.isFile()) {
          const st = await lstat(path.join(this.dir, key))
          if (st && st.isFile()) sizes.set(key, st.size)
        } else if (!d.isSymbolicLink()) this._notAFile(key)
        this._checkOpen()
      }
    }
    await walk('')
    return sizes
  }

  private async _upload(plan: Plan): Promise<void> {
    const src = new LocalFolder(this.dir, this._tracker)
    const dst = new DriveSide(this._drive, this._tracker)
    const result = await this._mirror(src, dst, plan)
    this.emit('synced', result)
  }

  private async _followFolder(): Promise<void> {
    const watch = this._folderWatch as Localwatch<string>
    try {
      for await (const batch of watch) {
        if (this._aborted) break
        const keys = [...new Set(batch)].filter((k) => k !== '/' && !this._ignore(k))
        if (keys.length === 0) continue
        try {
          await this._upload(await this._planFolderBatch(keys))
        } catch (err) {
          if (this._aborted) break
          this._emitError(err)
        }
      }
    } catch (err) {
      if (!this._aborted) this._emitError(err)
    }
  }

  /** Keeps the paths that exist on either side (mirror-drive expects one of the two). */
  private async _planFolderBatch(keys: string[]): Promise<Plan> {
    const local = new LocalFolder(this.dir, this._tracker)
    const entries: string[] = []
    const sizes = new Map<string, number>()
    for (const key of keys) {
      const st = await lstat(path.join(this.dir, key))
      if (st && !st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) this._notAFile(key)
      const mine = st && st.isFile() ? await local.entry(key) : null
      if (mine) {
        sizes.set(key, mine.value.blob ? mine.value.blob.byteLength : 0)
        entries.push(key)
      } else if (await this._drive.entry(key)) {
        entries.push(key)
      }
    }
    return { entries, sizes }
  }

  // ---- drive -> folder ----------------------------------------------------------------------

  private _checkout(version: number): Hyperdrive {
    const checkout = this._drive.checkout(version)
    this._checkouts.add(checkout)
    return checkout
  }

  private async _release(checkout: Hyperdrive): Promise<void> {
    this._checkouts.delete(checkout)
    await checkout.close().catch(noop)
  }

  /** A pass over the whole drive, as of `snapshot` (or of now). */
  private async _downloadFull(snapshot: Hyperdrive | null): Promise<void> {
    await this._drive.update().catch(noop)
    this._checkOpen()
    // An empty read-only drive has told us nothing yet: do not prune the folder against it.
    if ((snapshot ?? this._drive).core.length === 0) {
      this.emit('synced', { added: [], changed: [], removed: [] })
      return
    }
    const checkout = snapshot ?? this._checkout(this._drive.version)
    try {
      const src = new DriveSide(checkout, this._tracker)
      const sizes = new Map<string, number>()
      for await (const entry of checkout.list('/', { ignore: this._ignore })) {
        if (entry.value.linkname !== null) continue
        sizes.set(entry.key, entry.value.blob ? entry.value.blob.byteLength : 0)
        this._checkOpen()
      }
      const result = await this._mirror(src, new LocalFolder(this.dir, this._tracker), {
        entries: null,
        sizes,
      })
      this._fullPassDone = true
      this.emit('synced', result)
    } finally {
      if (!snapshot) await this._release(checkout)
    }
  }

  private async _followDrive(): Promise<void> {
    const watch = this._driveWatch as HyperdriveWatcher
    try {
      for await (const [current, previous] of watch) {
        if (this._aborted) break
        try {
          // Until one full pass has run (the drive was empty), and after a truncation, a diff
          // would leave stale files behind: mirror the whole drive.
          if (!this._fullPassDone || current.core.fork !== previous.core.fork) {
            await this._downloadFull(current)
          } else await this._downloadChanges(current, previous.version)
        } catch (err) {
          if (this._aborted) break
          this._emitError(err)
        }
      }
    } catch (err) {
      if (!this._aborted) this._emitError(err)
    }
  }

  /** A pass over what changed in the drive between `since` and `current`. */
  private async _downloadChanges(current: Hyperdrive, since: number): Promise<void> {
    const src = new DriveSide(current, this._tracker)
    const dst = new LocalFolder(this.dir, this._tracker)
    const entries: string[] = []
    const sizes = new Map<string, number>()
    const seen = new Set<string>()
    for await (const { left, right } of current.diff(since, '/')) {
      const key = (left ?? right)?.key
      if (!key || seen.has(key) || this._ignore(key)) continue
      seen.add(key)
      const theirs = await src.entry(key)
      if (theirs) {
        sizes.set(key, theirs.value.blob ? theirs.value.blob.byteLength : 0)
        entries.push(key)
      } else if (await dst.entry(key)) {
        entries.push(key)
      }
    }
    if (entries.length === 0) return
    const result = await this._mirror(src, dst, { entries, sizes })
    this.emit('synced', result)
  }

  // ---- the copying ---------------------------------------------------------------------------

  /**
   * Runs mirror-drive from `src` to `dst`. When a file fails (it cannot be read, it vanished, it
   * cannot be written), that file is reported and the mirror starts again without it and without
   * what it already did, so the rest still goes through.
   */
  private async _mirror(src: Side, dst: Side, plan: Plan): Promise<SyncResult> {
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

  private _notAFile(key: string): void {
    const filename = path.join(this.dir, key)
    this._fileError(FILE_UNREADABLE, key, new Error(`${filename} is not a regular file`))
  }

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
  on<K extends keyof FolderSyncEvents>(event: K, listener: Listener<FolderSyncEvents, K>): this
  once<K extends keyof FolderSyncEvents>(event: K, listener: Listener<FolderSyncEvents, K>): this
  off<K extends keyof FolderSyncEvents>(event: K, listener: Listener<FolderSyncEvents, K>): this
  emit<K extends keyof FolderSyncEvents>(event: K, ...args: FolderSyncEvents[K]): boolean
}

async function exists(filename: string): Promise<boolean> {
  return (await lstat(filename)) !== null
}

async function lstat(filename: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.lstat(filename)
  } catch {
    return null
  }
}

function noop(): void {}
