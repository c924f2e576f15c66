// Hand-written declaration for `mirror-drive` 1 (ships no types), typed as far as this project uses it.
declare module 'mirror-drive' {
  /** One step of a mirror: yielded before the file is copied (or removed). */
  export interface MirrorOp {
    op: 'add' | 'change' | 'remove' | 'equal'
    key: string
    bytesAdded: number
    bytesRemoved: number
  }

  export interface MirrorOptions {
    prefix?: string | string[]
    /** Remove from the destination what the source lacks (default true). */
    prune?: boolean
    dryRun?: boolean
    /** Also yield `{ op: 'equal' }` for files already the same. */
    includeEquals?: boolean
    /** Only the keys for which this returns true are copied. */
    filter?: (key: string) => boolean
    /** Passed to the source's (and, when pruning, the destination's) `list()`. */
    ignore?: string | string[] | ((key: string) => boolean)
    /** Compare and copy only these keys instead of listing the source. */
    entries?: Iterable<string> | AsyncIterable<string> | null
    preload?: boolean
    batch?: boolean
    dedup?: boolean
    progress?: boolean
  }

  /** Copies what differs from one drive (Hyperdrive or Localdrive) to another. */
  export default class MirrorDrive implements AsyncIterable<MirrorOp> {
    constructor(src: object, dst: object, opts?: MirrorOptions)
    readonly count: { files: number; add: number; remove: number; change: number }
    readonly bytesAdded: number
    readonly bytesRemoved: number;
    [Symbol.asyncIterator](): AsyncIterator<MirrorOp>
    done(): Promise<void>
  }
}
