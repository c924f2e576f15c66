// Folder -> drive: a writable drive takes the folder's files, then every change made there.
import fs from 'fs'
import path from 'path'
import type { ErrorCode } from '@dat-sdk/store'
import Localwatch from 'localwatch'
import { DriveSide, LocalFolder } from './sides.js'
import {
  followChanges,
  lstat,
  noop,
  type Plan,
  type SyncContext,
  type SyncStrategy,
} from './strategy.js'

const FILE_UNREADABLE: ErrorCode = 'FILE_UNREADABLE'

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

export class Upload implements SyncStrategy {
  private readonly _sync: SyncContext
  /** Whether the folder was there before the sync made it: a new folder prunes nothing. */
  private readonly _existed: boolean
  private _watch: Localwatch<string> | null = null

  constructor(sync: SyncContext, existed: boolean) {
    this._sync = sync
    this._existed = existed
  }

  async start(): Promise<void> {
    const sync = this._sync
    if (sync.live) {
      const watch = new FolderWatch(sync.dir, {
        hidden: true,
        eagerOpen: true,
        filter: (filename) => !sync.ignore(sync.keyOf(filename)),
        map: (change) => sync.keyOf(change.filename),
      })
      watch.on('error', noop) // surfaces again through the iterator
      this._watch = watch
      await watch.opened
      sync.checkOpen()
    }
    // A folder that was not there tells nothing about what the drive should lose.
    await this._upload({ entries: null, sizes: await this._scanFolder(), prune: this._existed })
  }

  follow(): Promise<void> {
    const sync = this._sync
    return followChanges(sync, this._watch, async (batch) => {
      const keys = [...new Set(batch)].filter((k) => k !== '/' && !sync.ignore(k))
      if (keys.length > 0) await this._upload(await this._planBatch(keys))
    })
  }

  abort(): void {
    this._watch?.destroy()
  }

  async close(): Promise<void> {}

  private async _upload(plan: Plan): Promise<void> {
    const sync = this._sync
    const src = new LocalFolder(sync.dir, sync.tracker)
    const dst = new DriveSide(sync.drive, sync.tracker)
    sync.synced(await sync.mirror(src, dst, plan))
  }

  /** Every regular file under the folder with its size; anything else that is not a folder or a link is reported. */
  private async _scanFolder(): Promise<Map<string, number>> {
    const sync = this._sync
    const sizes = new Map<string, number>()
    const walk = async (dirKey: string): Promise<void> => {
      let dirents: fs.Dirent[]
      try {
        dirents = await fs.promises.readdir(path.join(sync.dir, dirKey), { withFileTypes: true })
      } catch (err) {
        if (dirKey !== '' && (err as NodeJS.ErrnoException).code !== 'ENOENT') {
          sync.fileError(FILE_UNREADABLE, dirKey, err)
        }
        return
      }
      for (const d of dirents) {
        const key = dirKey + '/' + d.name
        if (sync.ignore(key)) continue
        if (d.isDirectory()) await walk(key)
        else if (d.isFile()) {
          const st = await lstat(path.join(sync.dir, key))
          if (st && st.isFile()) sizes.set(key, st.size)
        } else if (!d.isSymbolicLink()) this._notAFile(key)
        sync.checkOpen()
      }
    }
    await walk('')
    return sizes
  }

  /** Keeps the paths that exist on either side (mirror-drive expects one of the two). */
  private async _planBatch(keys: string[]): Promise<Plan> {
    const sync = this._sync
    const local = new LocalFolder(sync.dir, sync.tracker)
    const entries: string[] = []
    const sizes = new Map<string, number>()
    for (const key of keys) {
      const st = await lstat(path.join(sync.dir, key))
      if (st && !st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) this._notAFile(key)
      const mine = st && st.isFile() ? await local.entry(key) : null
      if (mine) {
        sizes.set(key, mine.value.blob ? mine.value.blob.byteLength : 0)
        entries.push(key)
      } else if (await sync.drive.entry(key)) {
        entries.push(key)
      }
    }
    return { entries, sizes }
  }

  private _notAFile(key: string): void {
    const filename = path.join(this._sync.dir, key)
    this._sync.fileError(FILE_UNREADABLE, key, new Error(`${filename} is not a regular file`))
  }
}
