/**
 * `TextDecoder` for the runtime at hand: the built-in one where there is one (Node, browsers), and
 * under Bare, which has no global `TextDecoder` (and whose `bare-encoding` ignores `fatal`), a UTF-8
 * decoder that keeps `fatal`: bytes that do not survive a round trip are not valid UTF-8.
 */
import b4a from 'b4a'

class Utf8Decoder implements TextDecoder {
  readonly encoding = 'utf-8'
  readonly fatal: boolean
  readonly ignoreBOM: boolean

  constructor(label = 'utf-8', options: TextDecoderOptions = {}) {
    if (!/^\s*(utf-?8|unicode-1-1-utf-8)\s*$/i.test(label)) {
      throw new RangeError(`The encoding label provided ('${label}') is invalid.`)
    }
    this.fatal = options.fatal === true
    this.ignoreBOM = options.ignoreBOM === true
  }

  decode(input?: AllowSharedBufferSource): string {
    if (input === undefined) return ''
    const bytes = ArrayBuffer.isView(input)
      ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
      : new Uint8Array(input)
    let text = b4a.toString(bytes, 'utf-8')
    if (this.fatal && !b4a.equals(b4a.from(text, 'utf-8'), bytes)) {
      throw new TypeError('The encoded data was not valid for encoding utf-8')
    }
    if (!this.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    return text
  }
}

const Decoder: typeof globalThis.TextDecoder =
  typeof globalThis.TextDecoder === 'function' ? globalThis.TextDecoder : Utf8Decoder

export { Decoder as TextDecoder }
