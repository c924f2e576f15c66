/// <reference types="node" preserve="true" />
// Hand-written declaration for `localwatch` 1 (ships no types), typed as far as this project uses it.
declare module 'localwatch' {
  import type { EventEmitter } from 'node:events'

  export interface LocalwatchChange {
    type: 'update' | 'delete'
    /** The absolute path (or `./relative` with `relative: true`). */
    filename: string
  }

  export interface LocalwatchOptions<T> {
    /** Return false to leave a path (and everything under it) unwatched. */
    filter?: (filename: string, stream: Localwatch<T>) => boolean
    map?: (change: LocalwatchChange) => T
    relative?: boolean
    /** Include names starting with a dot (default false). */
    hidden?: boolean
    ref?: boolean
    /** Wait for the folder to be idle (`delay` ms, default 100) before yielding a batch. */
    settle?: boolean
    delay?: number
    eagerOpen?: boolean
  }

  /** Watches a folder (one inotify watch per directory on Linux) and yields batches of changes. */
  export default class Localwatch<T = LocalwatchChange>
    extends EventEmitter
    implements AsyncIterable<T[]>
  {
    constructor(root: string, opts?: LocalwatchOptions<T>)
    readonly root: string
    /** Resolves true once the tree is walked and watched (false when destroyed first). */
    readonly opened: Promise<boolean>
    readonly destroyed: boolean;
    [Symbol.asyncIterator](): AsyncIterator<T[]>
    destroy(err?: Error | null): void
    /** streamx's teardown hook, for subclasses. */
    protected _destroy(cb: (err: Error | null) => void): void
    ref(): void
    unref(): void
  }
}
