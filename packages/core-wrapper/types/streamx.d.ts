/// <reference types="node" preserve="true" />
// Hand-written declaration of `streamx` 2's Readable (ships no types), typed as far as
// core-wrapper uses it (drive-wrapper's declaration of the same module adds Transform and pipeline).
declare module 'streamx' {
  import type { EventEmitter } from 'node:events'

  export interface ReadableOptions<T> {
    open?(this: Readable<T>, cb: (err?: Error | null) => void): void
    read?(this: Readable<T>, cb: (err?: Error | null) => void): void
    predestroy?(this: Readable<T>): void
    destroy?(this: Readable<T>, cb: (err?: Error | null) => void): void
  }

  /** A streamx readable: async iterable, pipeable, destroyable. */
  export class Readable<T> implements EventEmitter, AsyncIterable<T> {
    constructor(opts?: ReadableOptions<T>)
    readonly destroyed: boolean
    push(data: T | null): boolean
    read(): T | null
    pause(): this
    resume(): this
    pipe<D>(dest: D, cb?: (err: Error | null) => void): D
    destroy(err?: Error | null): void
    [Symbol.asyncIterator](): AsyncIterator<T>
  }
  export interface Readable<T> extends EventEmitter {}
}
