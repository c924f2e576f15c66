// Hand-written declaration for `hyperbee` 2 (ships no types), typed as far as this project uses it:
// always with binary keys and values (the Base encodes them).
declare module 'hyperbee' {
  import type Hypercore from 'hypercore'
  import type { Readable } from 'node:stream'

  export interface BeeEntry {
    seq: number
    key: Uint8Array
    value: Uint8Array | null
  }

  export interface BeeRange {
    gt?: Uint8Array
    gte?: Uint8Array
    lt?: Uint8Array
    lte?: Uint8Array
    reverse?: boolean
    limit?: number
  }

  export interface BeeBatch {
    put(key: Uint8Array, value: Uint8Array): Promise<void>
    del(key: Uint8Array): Promise<void>
    flush(): Promise<void>
    close(): Promise<void>
  }

  export interface BeeWatcher extends AsyncIterable<[Hyperbee, Hyperbee]> {
    ready(): Promise<void>
    close(): Promise<void>
    destroy(): Promise<void>
  }

  export interface HyperbeeOptions {
    keyEncoding?: 'binary'
    valueEncoding?: 'binary'
    extension?: boolean
  }

  export default class Hyperbee {
    constructor(core: Hypercore<unknown>, opts?: HyperbeeOptions)
    core: Hypercore<unknown>
    version: number
    ready(): Promise<void>
    close(): Promise<void>
    get(key: Uint8Array, opts?: object): Promise<BeeEntry | null>
    put(key: Uint8Array, value: Uint8Array, opts?: object): Promise<void>
    del(key: Uint8Array, opts?: object): Promise<void>
    batch(opts?: { update?: boolean }): BeeBatch
    createReadStream(range?: BeeRange, opts?: object): Readable & AsyncIterable<BeeEntry>
    watch(range?: BeeRange, opts?: object): BeeWatcher
    snapshot(): Hyperbee
  }
}
