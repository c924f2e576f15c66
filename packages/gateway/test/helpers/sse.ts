// Reads server-sent events off a web stream, one `data:` payload at a time.
export class EventReader {
  private readonly _reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly _decoder = new TextDecoder()
  private _buffer = ''

  constructor(body: ReadableStream<Uint8Array>) {
    this._reader = body.getReader()
  }

  /** The next event's `data` parsed as JSON, or null when the stream ended. */
  async next(): Promise<unknown> {
    for (;;) {
      const end = this._buffer.indexOf('\n\n')
      if (end !== -1) {
        const block = this._buffer.slice(0, end)
        this._buffer = this._buffer.slice(end + 2)
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
        if (data.length) return JSON.parse(data.join('\n'))
        continue // a comment
      }
      const { value, done } = await this._reader.read()
      if (done) return null
      this._buffer += this._decoder.decode(value, { stream: true })
    }
  }

  cancel(): Promise<void> {
    return this._reader.cancel()
  }
}
