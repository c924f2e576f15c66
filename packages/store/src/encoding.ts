import b4a from 'b4a'
import c from 'compact-encoding'
import type { AbstractEncoding, CompactCodec as Codec, Encoding } from '@dat-sdk/interfaces'
import { asBadMessage } from './dispatch.js'
import { TextDecoder } from './text-decoder.js'

export type { Codec, AbstractEncoding, Encoding }

/** Bytes in, bytes out: what every extension layer of the SDK puts on the wire. */
export interface MessageCodec<M> {
  /** Encodes `message` into bytes. */
  encode(message: M): Uint8Array
  /** Throws `BAD_MESSAGE` for bytes that do not decode. */
  decode(bytes: Uint8Array): M
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

function isCodec(e: object): e is Codec<unknown> {
  const o = e as Record<string, unknown>
  return (
    typeof o.preencode === 'function' &&
    typeof o.encode === 'function' &&
    typeof o.decode === 'function'
  )
}

function isAbstract(e: object): e is AbstractEncoding<unknown> {
  const o = e as Record<string, unknown>
  return (
    typeof o.encode === 'function' &&
    typeof o.decode === 'function' &&
    typeof o.encodingLength === 'function'
  )
}

function binary(message: unknown): Uint8Array {
  if (message instanceof Uint8Array) return message
  if (typeof message === 'string') return b4a.from(message, 'utf-8')
  throw new TypeError('A binary message must be a Uint8Array or a string')
}

const CODECS = {
  binary: { encode: binary, decode: (bytes: Uint8Array) => bytes },
  'utf-8': {
    encode: (m: unknown) => {
      if (typeof m !== 'string') throw new TypeError('A utf-8 message must be a string')
      return b4a.from(m, 'utf-8')
    },
    decode: (bytes: Uint8Array) => utf8Decoder.decode(bytes),
  },
  json: {
    encode: (m: unknown) => {
      const text = JSON.stringify(m)
      if (text === undefined) throw new TypeError('A json message must be JSON-serialisable')
      return b4a.from(text, 'utf-8')
    },
    decode: (bytes: Uint8Array): unknown => JSON.parse(utf8Decoder.decode(bytes)),
  },
} as const

/**
 * Turns any accepted encoding into a bytes codec. Decoding never trusts the input: whatever the
 * underlying encoding throws (bad UTF-8, bad JSON, a truncated codec message) becomes a
 * `DatSdkError` with code `BAD_MESSAGE`.
 */
export function resolveEncoding<M = Uint8Array>(
  encoding: Encoding<M> | undefined,
): MessageCodec<M> {
  let base: { encode(m: unknown): Uint8Array; decode(b: Uint8Array): unknown }
  if (encoding === undefined || encoding === 'binary') base = CODECS.binary
  else if (encoding === 'utf-8' || encoding === 'utf8') base = CODECS['utf-8']
  else if (encoding === 'json') base = CODECS.json
  else if (typeof encoding === 'object' && encoding !== null && isCodec(encoding)) {
    const codec = encoding as Codec<unknown>
    base = {
      encode: (m) => c.encode(codec, m),
      decode: (bytes) => {
        const state = c.state(0, bytes.byteLength, bytes)
        return codec.decode(state)
      },
    }
  } else if (typeof encoding === 'object' && encoding !== null && isAbstract(encoding)) {
    const abs = encoding as AbstractEncoding<unknown>
    base = {
      encode: (m) => abs.encode(m),
      decode: (bytes) => {
        const message = abs.decode(bytes)
        // An abstract-encoding says in `decode.bytes` how many bytes it read. protocol-buffers
        // reads a length-prefixed field past the end of a cut-off message without complaint (a
        // truncated string comes out shorter); reading past the end means the message was cut.
        const read = (abs.decode as { bytes?: unknown }).bytes
        if (typeof read === 'number' && read > bytes.byteLength) {
          throw new RangeError(`Read ${read} bytes of a ${bytes.byteLength}-byte message`)
        }
        return message
      },
    }
  } else {
    throw new TypeError(
      `Unknown encoding ${String(encoding)}: use 'binary', 'utf-8', 'json', a compact-encoding codec or an abstract-encoding`,
    )
  }
  return {
    encode: base.encode as (m: M) => Uint8Array,
    decode(bytes) {
      try {
        return base.decode(bytes) as M
      } catch (err) {
        throw asBadMessage(err, 'Decoding a message')
      }
    },
  }
}
