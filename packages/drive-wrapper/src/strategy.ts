// What the two folder-sync strategies (upload.ts, download.ts) share with the `FolderSync` that
// runs them: the plan of one mirror pass, what a strategy may ask of its sync, and what it does.
import fs from 'fs'
import type Hyperdrive from 'hyperdrive'
import type { SyncResult } from '@dat-sdk/interfaces'
import type { ErrorCode } from '@dat-sdk/store'
import type { IgnoreFn } from './ignore.js'
import type { DriveSide, LocalFolder, StreamTracker } from './sides.js'

/** One pass of mirror-drive from one side to the other. */
export interface Plan {
  /** Only these paths (a live batch), or null for the whole tree. */
  entries: string[] | null
  /** False to never delete on the receiving side in this pass (whatever `prune` says). */
  prune?: boolean
  /** The size of each file on the sending side: the pass's totals. */
  sizes: Map<string, number>
}

export type Side = LocalFolder | DriveSide

/** What a strategy asks of the `FolderSync` that runs it. */
export interface SyncContext {
  /** The folder, as an absolute path. */
  readonly dir: string
  readonly live: boolean
  readonly drive: Hyperdrive
  readonly ignore: IgnoreFn
  readonly tracker: StreamTracker
  /** True once the sync is closing: stop at the next step. */
  readonly aborted: boolean
  /** Throws `CLOSED` once the sync is closing. */
  checkOpen(): void
  /** The drive path of a file in the folder. */
  keyOf(filename: string): string
  /** Copies from `src` to `dst` as `plan` says, reporting a file that fails and going on. */
  mirror(src: Side, dst: Side, plan: Plan): Promise<SyncResult>
  /** Emits `'synced'`. */
  synced(result: SyncResult): void
  /** Emits `'error'` (a `FileSyncError`; a pass that failed as a whole names `/`). */
  error(err: unknown): void
  /** Emits `'error'` for one file. */
  fileError(code: ErrorCode, key: string, cause: unknown): void
}

/** One direction of a folder sync: `'upload'` (folder -> drive) or `'download'` (drive -> folder). */
export interface SyncStrategy {
  /** Starts watching (when live), then runs the first full pass. */
  start(): Promise<void>
  /** Follows changes until the sync closes (live only). */
  follow(): Promise<void>
  /** Stops watching, at once (the sync is closing). */
  abort(): void
  /** Releases what is left once `follow()` has ended. */
  close(): Promise<void>
}

/**
 * The watch loop both strategies run in `follow()`: each change from `changes` (a drive watcher,
 * a folder watcher) goes to `onchange` in turn until the sync closes. A change that fails is
 * reported and the loop goes on; a watcher that fails ends it, reported unless the sync is closing.
 */
export async function followChanges<C>(
  sync: SyncContext,
  changes: AsyncIterable<C> | null,
  onchange: (change: C) => Promise<void>,
): Promise<void> {
  if (!changes) return
  try {
    for await (const change of changes) {
      if (sync.aborted) break
      try {
        await onchange(change)
      } catch (err) {
        if (sync.aborted) break
        sync.error(err)
      }
    }
  } catch (err) {
    if (!sync.aborted) sync.error(err)
  }
}

/** The file's stat without following a link, or null when there is nothing there. */
export async function lstat(filename: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.lstat(filename)
  } catch {
    return null
  }
}

export function noop(): void {}
