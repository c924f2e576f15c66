import {
  resolveEncoding,
  type AbstractEncoding,
  type Codec,
  type Encoding,
  type MessageCodec,
} from '@dat-sdk/store'
import type { HyperbeeEncoding } from 'hyperbee'

/**
 * The encodings a key or value of type `M` can be stored with: `'utf-8'` for strings, `'binary'`
 * for bytes, `'json'` for anything JSON can hold, a compact-encoding codec or an abstract-encoding
 * (`encode` / `decode` / `encodingLength`) of `M`. The same set as a `Core`'s.
 */
export type BeeEncoding<M> =
  | ([M] extends [string] ? 'utf-8' | 'utf8' : never)
  | ([Uint8Array] extends [M] ? 'binary' : never)
  | 'json'
  | Codec<M>
  | AbstractEncoding<M>

/**
 * Turns a `Core` encoding into the codec hyperbee runs. Every encoding goes through the store's
 * `resolveEncoding`, so bytes from a peer that do not decode reject the read with `BAD_MESSAGE`
 * instead of a bare SyntaxError.
 */
export function toHyperbeeEncoding<M>(encoding: Encoding<M> | undefined): HyperbeeEncoding {
  const codec: MessageCodec<M> = resolveEncoding<M>(encoding)
  return { encode: (value: M) => codec.encode(value), decode: (bytes) => codec.decode(bytes) }
}
