// Drive -> folder: a read-only drive writes its files into the folder, then every change that
// arrives.
import fs from 'fs'
import path from 'path'
import type Hyperdrive from 'hyperdrive'
import type { HyperdriveWatcher } from 'hyperdrive'
import { TEMP_FILE } from './ignore.js'
import { fetchIndex, type IndexDownload } from './prefetch.js'
import { DriveSide, LocalFolder } from './sides.js'
import { followChanges, noop, type SyncContext, type SyncStrategy } from './strategy.js'

export class Download implements SyncStrategy {
  private readonly _sync: SyncContext
  private _watch: HyperdriveWatcher | null = null
  private readonly _checkouts = new Set<Hyperdrive>()
  private _fullPassDone = false
  private _index: IndexDownload | null = null

  constructor(sync: SyncContext) {
    this._sync = sync
  }

  async start(): Promise<void> {
    const sync = this._sync
    // A download killed half-way left its partial files under their temporary names, which the
    // mirror does not see (they are ignored): remove them before the first pass.
    await removeTempFiles(sync.dir)
    sync.checkOpen()
    if (sync.live) {
      this._watch = sync.drive.watch('/')
      await this._watch.ready()
      sync.checkOpen()
    }
    await this._downloadFull(null)
  }

  follow(): Promise<void> {
    return followChanges(this._sync, this._watch, async ([current, previous]) => {
      // Until one full pass has run (the drive was empty), and after a truncation, a diff would
      // leave stale files behind: mirror the whole drive.
      if (!this._fullPassDone || current.core.fork !== previous.core.fork) {
        await this._downloadFull(current)
      } else await this._downloadChanges(current, previous.version)
    })
  }

  abort(): void {
    this._watch?.close().catch(noop)
    this._index?.destroy()
    for (const c of this._checkouts) c.close().catch(noop)
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this._checkouts].map((c) => c.close()))
  }

  private _checkout(version: number): Hyperdrive {
    const checkout = this._sync.drive.checkout(version)
    this._checkouts.add(checkout)
    return checkout
  }

  private async _release(checkout: Hyperdrive): Promise<void> {
    this._checkouts.delete(checkout)
    await checkout.close().catch(noop)
  }

  /** A pass over the whole drive, as of `snapshot` (or of now). */
  private async _downloadFull(snapshot: Hyperdrive | null): Promise<void> {
    const sync = this._sync
    const drive = sync.drive
    await drive.update().catch(noop)
    sync.checkOpen()
    // An empty read-only drive has told us nothing yet: do not prune the folder against it.
    if ((snapshot ?? drive).core.length === 0) {
      sync.synced({ added: [], changed: [], removed: [] })
      return
    }
    const checkout = snapshot ?? this._checkout(drive.version)
    try {
      const src = new DriveSide(checkout, sync.tracker)
      await checkout.ready()
      await fetchIndex(drive.core, checkout.core.length, (range) => (this._index = range))
      sync.checkOpen()
      const sizes = new Map<string, number>()
      for await (const entry of checkout.list('/', { ignore: sync.ignore })) {
        if (entry.value.linkname !== null) continue
        sizes.set(entry.key, entry.value.blob ? entry.value.blob.byteLength : 0)
        sync.checkOpen()
      }
      const result = await sync.mirror(src, new LocalFolder(sync.dir, sync.tracker), {
        entries: null,
        sizes,
      })
      this._fullPassDone = true
      sync.synced(result)
    } finally {
      if (!snapshot) await this._release(checkout)
    }
  }

  /** A pass over what changed in the drive between `since` and `current`. */
  private async _downloadChanges(current: Hyperdrive, since: number): Promise<void> {
    const sync = this._sync
    const src = new DriveSide(current, sync.tracker)
    const dst = new LocalFolder(sync.dir, sync.tracker)
    const entries: string[] = []
    const sizes = new Map<string, number>()
    const seen = new Set<string>()
    for await (const { left, right } of current.diff(since, '/')) {
      const key = (left ?? right)?.key
      if (!key || seen.has(key) || sync.ignore(key)) continue
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
    sync.synced(await sync.mirror(src, dst, { entries, sizes }))
  }
}

/** Removes every `*.<n>.localdrive.tmp` file under `dir` (links are not followed). */
async function removeTempFiles(dir: string): Promise<void> {
  let dirents: fs.Dirent[]
  try {
    dirents = await fs.promises.readdir(dir, { withFileTypes: true })
  } catch {
    return // unreadable: the pass itself reports it
  }
  for (const d of dirents) {
    const filename = path.join(dir, d.name)
    if (d.isDirectory()) await removeTempFiles(filename)
    else if (d.isFile() && TEMP_FILE.test(d.name)) await fs.promises.rm(filename).catch(noop)
  }
}
