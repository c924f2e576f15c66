// Hand-written declaration for `streamx` 2 (ships no types), typed as far as this project uses it.
declare module 'streamx' {
  import type { StreamxReadable, StreamxWritable } from 'hyperdrive'

  export interface TransformOptions<I, O> {
    transform(data: I, cb: (err: Error | null, out?: O) => void): void
  }

  /** A streamx transform: a writable side of `I`, a readable side of `O`. */
  export interface Transform<I, O> extends StreamxReadable<O> {
    write(data: I): boolean
    end(): this
  }

  export const Transform: new <I, O>(opts: TransformOptions<I, O>) => Transform<I, O>

  export interface WritableOptions<T> {
    write?(data: T, cb: (err?: Error | null) => void): void
    final?(cb: (err?: Error | null) => void): void
    predestroy?(): void
  }

  /** A streamx writable. */
  export interface Writable<T> extends StreamxWritable<T> {
    destroy(err?: Error | null): void
  }

  export const Writable: new <T>(opts: WritableOptions<T>) => Writable<T>

  /** Pipes `src` into `dst`, destroying both when either fails; returns `dst`. */
  export function pipeline<I, O>(src: StreamxReadable<I>, dst: Transform<I, O>): Transform<I, O>
}
