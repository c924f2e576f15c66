// Hand-written declaration for `b4a` (Buffer for Node and Bare; ships no types).
declare module 'b4a' {
  type Enc = 'hex' | 'utf-8' | 'utf8' | 'base64' | 'ascii' | 'binary' | 'latin1'
  export function from(input: string, encoding?: Enc): Uint8Array
  export function from(input: ArrayLike<number> | ArrayBuffer | Uint8Array): Uint8Array
  export function toString(buf: Uint8Array, encoding?: Enc, start?: number, end?: number): string
  export function equals(a: Uint8Array, b: Uint8Array): boolean
  export function compare(a: Uint8Array, b: Uint8Array): number
  export function concat(list: Uint8Array[], totalLength?: number): Uint8Array
  export function alloc(size: number, fill?: number): Uint8Array
  export function allocUnsafe(size: number): Uint8Array
  export function isBuffer(value: unknown): value is Uint8Array
  export function byteLength(input: string | Uint8Array, encoding?: Enc): number
  const b4a: {
    from: typeof from
    toString: typeof toString
    equals: typeof equals
    compare: typeof compare
    concat: typeof concat
    alloc: typeof alloc
    allocUnsafe: typeof allocUnsafe
    isBuffer: typeof isBuffer
    byteLength: typeof byteLength
  }
  export default b4a
}
