/** compact-encoding's state: where a codec reads or writes in `buffer`. */
export interface CompactState {
  start: number
  end: number
  buffer: Uint8Array | null
}

/** A compact-encoding codec (`c.uint`, `c.string`, a struct of them...). */
export interface CompactCodec<M> {
  preencode(state: CompactState, value: M): void
  encode(state: CompactState, value: M): void
  decode(state: CompactState): M
}

/** The protocol-buffers family's shape (abstract-encoding): `encode` / `decode` / `encodingLength`. */
export interface AbstractEncoding<M> {
  encode(message: M, buffer?: Uint8Array, offset?: number): Uint8Array
  decode(buffer: Uint8Array, start?: number, end?: number): M
  encodingLength(message: M): number
}

/** Every way a message encoding can be named: a string, a compact-encoding codec or an abstract-encoding. */
export type Encoding<M = unknown> =
  'binary' | 'utf-8' | 'utf8' | 'json' | CompactCodec<M> | AbstractEncoding<M>
