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

/** Any encoding a key or value can be stored with, whatever the type it gives. */
export type AnyBeeEncoding = Encoding<unknown>

/**
 * The type an encoding gives: `'utf-8'` / `'utf8'` a string, `'binary'` a Uint8Array, `'json'`
 * unknown (say what you store with explicit generics), a compact-encoding codec or an
 * abstract-encoding of `M` an `M`; no encoding (`undefined`) gives `Default`. A union that holds a
 * codec (`BeeEncoding<M>` is one) gives the codec's type, so typed options keep their types.
 */
export type BeeEncodingType<E, Default = Uint8Array> = unknown extends E
  ? Default
  : [CodecOf<E>] extends [never]
    ? [Exclude<E, undefined>] extends [never]
      ? Default
      : NamedType<Exclude<E, undefined>>
    : CodecType<CodecOf<E>>

type CodecOf<E> = Extract<E, Codec<unknown> | AbstractEncoding<unknown>>

type CodecType<E> = E extends Codec<infer M> ? M : E extends AbstractEncoding<infer M> ? M : never

type NamedType<E> = E extends 'utf-8' | 'utf8'
  ? string
  : E extends 'binary'
    ? Uint8Array
    : E extends 'json'
      ? unknown
      : never

/**
 * Turns a `Core` encoding into the codec hyperbee runs. Every encoding goes through the store's
 * `resolveEncoding`, so bytes from a peer that do not decode reject the read with `BAD_MESSAGE`
 * instead of a bare SyntaxError.
 */
export function toHyperbeeEncoding<M>(encoding: Encoding<M> | undefined): HyperbeeEncoding {
  const codec: MessageCodec<M> = resolveEncoding<M>(encoding)
  // utf-8 encodes strings only: bytes given to it would always throw.
  const stringsOnly = encoding === 'utf-8' || encoding === 'utf8'
  return {
    encode: (value: M) => {
      // Hyperbee's extension answers a peer's get or range request by encoding the key or range
      // it sent, which is already bytes: pass them through (as hyperbee's own codecs do) rather
      // than throw inside a message handler, which would take the whole process down. Bytes to a
      // utf-8 bee pass without a try: a thrown error per remote get (its stack trace) cost a
      // writer serving a reader's 10,000 gets about 75 ms of CPU.
      if (value instanceof Uint8Array && encoding !== undefined && encoding !== 'binary') {
        if (stringsOnly) return value
        try {
          return codec.encode(value)
        } catch {
          return value
        }
      }
      return codec.encode(value)
    },
    decode: (bytes) => codec.decode(bytes),
  }
}
