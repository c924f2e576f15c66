import type { Drive } from '@dat-sdk/sdk'

/** A comment line every so often, so that proxies and browsers keep an idle stream open. */
const PING_INTERVAL = 25_000

/**
 * `text/event-stream` of the changes below `path` in `drive`: one `message` event per changed
 * file, `data: {"version":N,"path":"/a.txt"}` with `id: N`, from the moment of the request on.
 * The watcher closes when the client goes (the body is cancelled or `signal` aborts).
 */
export async function liveResponse(
  drive: Drive,
  path: string,
  signal: AbortSignal,
): Promise<Response> {
  const watcher = drive.watch(path)
  await watcher.ready() // from here on, a change is seen
  const encoder = new TextEncoder()
  let ping: ReturnType<typeof setInterval> | undefined
  let ended = false
  const stop = () => {
    if (ended) return
    ended = true
    clearInterval(ping)
    signal.removeEventListener('abort', stop)
    watcher.close().catch(noop)
  }
  signal.addEventListener('abort', stop, { once: true })
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (!ended) controller.enqueue(encoder.encode(text))
      }
      send(`: live changes of ${path}\n\n`)
      ping = setInterval(() => send(': ping\n\n'), PING_INTERVAL)
      ping.unref?.()
      const pump = async () => {
        for await (const [current, previous] of watcher) {
          const version = current.version
          for await (const change of current.diff(previous.version, path)) {
            const entry = change.left ?? change.right
            if (entry)
              send(`id: ${version}\ndata: ${JSON.stringify({ version, path: entry.key })}\n\n`)
          }
        }
      }
      pump()
        .catch(noop)
        .finally(() => {
          // The client went, the gateway closes or the drive did: end the stream either way.
          stop()
          try {
            controller.close()
          } catch {
            // already cancelled by the reader
          }
        })
      if (signal.aborted) stop()
    },
    cancel() {
      stop()
    },
  })
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
  })
}

function noop(): void {}
