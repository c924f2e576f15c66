// A declaration for protocol-buffers (it ships none), for the tests of core-wrapper and networker
// that compile .proto schemas; typed only as far as they use it. It lives here, not in each of
// those packages, so that there is one declaration. test-utils itself does not import the module.
declare module 'protocol-buffers' {
  /** One compiled message: an abstract-encoding, the shape of protocol-buffers-encodings. */
  export interface CompiledMessage<M> {
    encode(message: M, buffer?: Uint8Array, offset?: number): Uint8Array
    decode(buffer: Uint8Array, offset?: number, end?: number): M
    encodingLength(message: M): number
  }

  /**
   * The messages of a schema by name. `T` maps each message name to what it decodes to; the
   * compiler cannot check that against the schema, so it is a claim the caller makes (as every
   * hand-written declaration is). Enums are not typed: the schemas these tests use have none.
   */
  export type CompiledMessages<T> = { [K in keyof T]: CompiledMessage<T[K]> }

  /** Compiles `.proto` source (a string or the file's bytes) at runtime. */
  export default function protobuf<T extends object>(
    proto: string | Uint8Array,
  ): CompiledMessages<T>
}
