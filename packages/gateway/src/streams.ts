/**
 * A web `ReadableStream` over an async iterator (a streamx or Node readable), pulled one chunk at a
 * time: nothing is read ahead of what the consumer takes beyond `highWaterMark` chunks, so a
 * slow client holds back the drive (backpressure) and memory does not grow with the file.
 * `cancel()` (the client went) destroys the source; `onDone` runs once, however it ends.
 */
export function toWebStream(
  source: AsyncIterable<Uint8Array> & { destroy(err?: Error): void },
  onDone: () => void = noop,
  highWaterMark = 4,
): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]()
  let done = false
  const finish = () => {
    if (done) return
    done = true
    onDone()
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await it.next()
          if (next.done) {
            controller.close()
            finish()
          } else {
            controller.enqueue(next.value)
          }
        } catch (err) {
          controller.error(err)
          finish()
        }
      },
      cancel() {
        source.destroy()
        finish()
      },
    },
    new CountQueuingStrategy({ highWaterMark }),
  )
}

function noop(): void {}
