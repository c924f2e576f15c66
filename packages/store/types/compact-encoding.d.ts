// Hand-written declaration for `compact-encoding` (ships no types), typed as far as this project uses it.
declare module 'compact-encoding' {
  export interface State {
    start: number
    end: number
    buffer: Uint8Array | null
  }
  export interface Codec<T> {
    preencode(state: State, value: T): void
    encode(state: State, value: T): void
    decode(state: State): T
  }
  export function state(start?: number, end?: number, buffer?: Uint8Array | null): State
  export function encode<T>(codec: Codec<T>, value: T): Uint8Array
  export function decode<T>(codec: Codec<T>, buffer: Uint8Array): T
  export function array<T>(codec: Codec<T>): Codec<T[]>
  export function frame<T>(codec: Codec<T>): Codec<T>
  export const uint: Codec<number>
  export const uint8: Codec<number>
  export const uint16: Codec<number>
  export const uint32: Codec<number>
  export const bool: Codec<boolean>
  export const buffer: Codec<Uint8Array>
  export const optionalBuffer: Codec<Uint8Array | null>
  export const binary: Codec<Uint8Array>
  export const raw: Codec<Uint8Array>
  export const string: Codec<string>
  export const utf8: Codec<string>
  export const json: Codec<unknown>
  export const fixed32: Codec<Uint8Array>
  export const none: Codec<null>
  const c: {
    state: typeof state
    encode: typeof encode
    decode: typeof decode
    array: typeof array
    frame: typeof frame
    uint: Codec<number>
    uint8: Codec<number>
    uint16: Codec<number>
    uint32: Codec<number>
    bool: Codec<boolean>
    buffer: Codec<Uint8Array>
    optionalBuffer: Codec<Uint8Array | null>
    binary: Codec<Uint8Array>
    raw: Codec<Uint8Array>
    string: Codec<string>
    utf8: Codec<string>
    json: Codec<unknown>
    fixed32: Codec<Uint8Array>
    none: Codec<null>
  }
  export default c
}
