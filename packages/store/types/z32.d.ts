// Hand-written declaration for `z32` (z-base-32; ships no types).
declare module 'z32' {
  export function encode(buf: Uint8Array): string
  export function decode(s: string): Uint8Array
  const z32: { encode: typeof encode; decode: typeof decode }
  export default z32
}
