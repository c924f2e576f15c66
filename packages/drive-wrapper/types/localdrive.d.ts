// Hand-written declaration for `localdrive` 2 (ships no types), typed as far as this project uses it.
declare module 'localdrive' {
  import type { HyperdriveEntry, StreamxReadable, StreamxWritable } from 'hyperdrive'

  /** A local file as localdrive describes it: a hyperdrive-shaped entry plus its mtime. */
  export interface LocaldriveEntry extends Omit<HyperdriveEntry, 'seq'> {
    mtime: number
  }

  export interface LocaldriveOptions {
    followLinks?: boolean
    followExternalLinks?: boolean
    atomic?: boolean
    metadata?: unknown
  }

  /** A folder on disk behind the Hyperdrive file API (what mirror-drive copies from and to). */
  export default class Localdrive {
    constructor(root: string, opts?: LocaldriveOptions)
    readonly root: string
    readonly supportsMetadata: boolean
    ready(): Promise<void>
    close(): Promise<void>
    flush(): Promise<void>
    toPath(key: string): string
    entry(
      key: string | { key: string },
      opts?: { follow?: boolean },
    ): Promise<LocaldriveEntry | null>
    get(key: string): Promise<Uint8Array | null>
    put(key: string, data: Uint8Array, opts?: { executable?: boolean }): Promise<void>
    del(key: string): Promise<void>
    symlink(key: string, linkname: string): Promise<void>
    exists(key: string): Promise<boolean>
    list(
      folder?: string,
      opts?: { ignore?: string | string[] | ((key: string) => boolean) },
    ): AsyncIterable<LocaldriveEntry>
    readdir(folder?: string): AsyncIterable<string>
    createReadStream(
      key: string | { key: string },
      opts?: { start?: number; end?: number; length?: number },
    ): StreamxReadable<Uint8Array>
    createWriteStream(
      key: string,
      opts?: { executable?: boolean; metadata?: unknown },
    ): StreamxWritable<Uint8Array>
    /** A mirror-drive from this folder to `out` (a Hyperdrive or another Localdrive). */
    mirror(out: object, opts?: import('mirror-drive').MirrorOptions): import('mirror-drive').default
  }
}
