/** compact-encoding's state: where a codec reads or writes in `buffer`. */
export interface CompactState {
  /** Where the next read or write happens in `buffer`. */
  start: number
  /** Where the encoded bytes end in `buffer`. */
  end: number
  /** The bytes being read or written; null while `preencode` sizes a message. */
  buffer: Uint8Array | null
}

/** A compact-encoding codec (`c.uint`, `c.string`, a struct of them...). */
export interface CompactCodec<M> {
  /** Adds the encoded size of `value` to `state.end`, before the buffer is allocated. */
  preencode(state: CompactState, value: M): void
  /** Writes `value` into `state.buffer` at `state.start`. */
  encode(state: CompactState, value: M): void
  /** Reads one value from `state.buffer` at `state.start`; throws on bytes that do not decode. */
  decode(state: CompactState): M
}

/** The protocol-buffers family's shape (abstract-encoding): `encode` / `decode` / `encodingLength`. */
export interface AbstractEncoding<M> {
  /** Encodes `message` into new bytes (or into `buffer` at `offset`). */
  encode(message: M, buffer?: Uint8Array, offset?: number): Uint8Array
  /** Decodes one message from `buffer` between `start` and `end`; throws on bytes that do not decode. */
  decode(buffer: Uint8Array, start?: number, end?: number): M
  /** How many bytes `encode(message)` writes. */
  encodingLength(message: M): number
}

/** Every way a message encoding can be named: a string, a compact-encoding codec or an abstract-encoding. */
export type Encoding<M = unknown> =
  'binary' | 'utf-8' | 'utf8' | 'json' | CompactCodec<M> | AbstractEncoding<M>
