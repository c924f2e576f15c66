import type { Drive } from '@dat-sdk/sdk'

/** A file's bytes as the drive streams them, and what to run once that stream is done with. */
export interface FileBody {
  source: ReturnType<Drive['hyperdrive']['createReadStream']>
  /** Closes the checkout the file was read from (if any); run once the source closed. */
  release: () => void
}

/**
 * What `hyperFetch` answers, before a file's bytes become a web stream: `response` carries the
 * status and headers (and every body but a file's); `file` is the file's stream, or null. The
 * gateway's server pipes `file.source` into its `node:http` response as it is, with no web-stream
 * leg in between; `hyperFetch` wraps it in a `ReadableStream`.
 */
export interface Answer {
  response: Response
  file: FileBody | null
}

/** An answer with no file stream: everything is in `response`. */
export function only(response: Response): Answer {
  return { response, file: null }
}
