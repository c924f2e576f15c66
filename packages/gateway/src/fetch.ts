import crypto from 'node:crypto'
import { toHex, type Drive } from '@dat-sdk/sdk'
import { deadline, openDrive, peerTimeout, type GatewaySDK } from './drives.js'
import { errorResponse, HttpError, toHttpError } from './errors.js'
import { liveResponse } from './live.js'
import { contentType } from './mime.js'
import { joinPath, parseTarget, type Target } from './paths.js'
import { parseRange } from './range.js'
import { toWebStream } from './streams.js'

export interface HyperFetchOptions {
  /** Take `PUT` and `DELETE` (with the token) on drives this SDK can write. Default false: `405`. */
  writable?: boolean
  /** The bearer token writes must carry; required when `writable`. */
  token?: string | null
  /** How long to wait for a peer to have a drive, or a block of it, in ms (default 30,000). */
  timeout?: number
}

/** The default of `opts.timeout`: 30 s for a peer to have the drive. */
export const DEFAULT_TIMEOUT = 30_000

const READ_METHODS = 'GET, HEAD, OPTIONS'
const ALL_METHODS = 'GET, HEAD, PUT, DELETE, OPTIONS'

type DriveEntry = NonNullable<Awaited<ReturnType<Drive['entry']>>>

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

/**
 * Answers a web-standard `Request` for `/hyper/<key|z32|domain>/<path>` (or `hyper://<drive>/<path>`)
 * from the drives of `sdk`, as a web-standard `Response`: files streamed with ranges and ETags,
 * folders as their `index.html` or a listing, live changes as server-sent events, and (when
 * `opts.writable`, with the bearer token) `PUT` / `DELETE`. Never rejects: every failure is a JSON
 * `{ code, message }` answer.
 */
export async function hyperFetch(
  sdk: GatewaySDK,
  request: Request,
  opts: HyperFetchOptions = {},
): Promise<Response> {
  const { response, file } = await answer(sdk, request, opts)
  if (!file) return response
  return new Response(toWebStream(file.source, file.release), {
    status: response.status,
    headers: response.headers,
  })
}

/** `hyperFetch` with a file's stream left as the drive gives it (see `Answer`). */
export async function answer(
  sdk: GatewaySDK,
  request: Request,
  opts: HyperFetchOptions = {},
): Promise<Answer> {
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT
  if (opts.writable && !opts.token) {
    throw new TypeError(
      'hyperFetch: opts.writable needs opts.token (the bearer token writes carry)',
    )
  }
  const method = request.method
  const read = method === 'GET' || method === 'HEAD'
  let response: Response
  let file: FileBody | null = null
  try {
    if (read) ({ response, file } = await get(sdk, request, timeout))
    else if (method === 'PUT' || method === 'DELETE')
      response = await write(sdk, request, opts, timeout)
    else if (method === 'OPTIONS')
      response = new Response(null, {
        status: 204,
        headers: { allow: opts.writable ? ALL_METHODS : READ_METHODS },
      })
    else
      throw new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${method} is not something this gateway does`,
        {
          allow: opts.writable ? ALL_METHODS : READ_METHODS,
        },
      )
  } catch (err) {
    const e = toHttpError(err)
    response = errorResponse(e.status, e.code, e.message, e.headers)
  }
  // Drives are public data: any page may read them. Nothing else is open to other origins.
  if (read) response.headers.set('access-control-allow-origin', '*')
  return { response, file }
}

// --- reads ----------------------------------------------------------------------------------------

async function get(sdk: GatewaySDK, request: Request, timeout: number): Promise<Answer> {
  const url = new URL(request.url)
  const target = parseTarget(url)
  if (!target) {
    throw new HttpError(
      404,
      'NOT_FOUND',
      'Nothing here: drives are at /hyper/<key or domain>/<path>',
    )
  }
  if (target.bare) return only(redirect(`${url.pathname}/${url.search}`))
  const accept = request.headers.get('accept') ?? ''
  const drive = await openDrive(sdk, target.drive, timeout, request.signal)

  if (/\btext\/event-stream\b/i.test(accept)) {
    if (target.version !== null) {
      throw new HttpError(400, 'INVALID_VERSION', 'Live updates follow the latest version')
    }
    if (!target.folder && (await findEntry(drive, target.path, timeout, request.signal))) {
      throw new HttpError(400, 'BAD_REQUEST', 'Live updates are for a drive or a folder in it')
    }
    return only(await liveResponse(drive, target.path, request.signal))
  }

  let view = drive
  if (target.version !== null) {
    if (target.version > drive.version) {
      throw new HttpError(
        404,
        'INVALID_VERSION',
        `Version ${target.version} is ahead of the drive (at ${drive.version})`,
      )
    }
    view = drive.checkout(target.version)
  }
  // A checkout is ours to close: once the answer is built, or once its body has been sent.
  let handedOff = false
  const release = () => {
    if (view !== drive) view.close().catch(noop)
  }
  try {
    const entry = target.folder ? null : await findEntry(view, target.path, timeout, request.signal)
    let answer: Answer
    if (entry) {
      answer = fileResponse(drive, view, entry, target, request, timeout, release)
      handedOff = answer.file !== null
      return answer
    }
    const index = await findEntry(
      view,
      joinPath(target.path, 'index.html'),
      timeout,
      request.signal,
    )
    const names = index ? null : await readdir(view, target.path, timeout, request.signal)
    if (!index && names!.length === 0 && target.path !== '/') {
      throw new HttpError(404, 'NOT_FOUND', `No file or folder ${target.path} in this drive`)
    }
    if (!target.folder) return only(redirect(`${url.pathname}/${url.search}`))
    if (index) {
      answer = fileResponse(drive, view, index, target, request, timeout, release)
      handedOff = answer.file !== null
      return answer
    }
    return only(await listing(view, target, names!, accept, request, timeout))
  } finally {
    if (!handedOff) release()
  }
}

async function findEntry(
  drive: Drive,
  path: string,
  timeout: number,
  signal: AbortSignal,
): Promise<DriveEntry | null> {
  const entry = await deadline(
    drive.hyperdrive.entry(path, { follow: true, timeout }),
    timeout,
    signal,
    peerTimeout(path, timeout),
  )
  // A symlink that leads nowhere (or out of the drive) is no file.
  return entry && (entry.value.linkname === null || entry.value.blob) ? entry : null
}

async function readdir(
  drive: Drive,
  path: string,
  timeout: number,
  signal: AbortSignal,
): Promise<string[]> {
  const collect = async () => {
    const names: string[] = []
    for await (const name of drive.readdir(path)) names.push(name)
    return names
  }
  return deadline(collect(), timeout, signal, peerTimeout(path, timeout))
}

/** Strong, and the same for the same bytes at any version: the drive's key and where the blob lives. */
function etagOf(drive: Drive, entry: DriveEntry): string {
  const blob = entry.value.blob
  const id = blob
    ? `${blob.blockOffset}.${blob.blockLength}.${blob.byteOffset}.${blob.byteLength}`
    : 'empty'
  const hash = crypto
    .createHash('sha256')
    .update(`${toHex(drive.key!)}/${id}`)
    .digest('base64url')
  return `"${hash.slice(0, 27)}"`
}

function matchesEtag(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  // Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for If-None-Match.
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

function fileResponse(
  drive: Drive,
  view: Drive,
  entry: DriveEntry,
  target: Target,
  request: Request,
  timeout: number,
  release: () => void,
): Answer {
  const size = entry.value.blob?.byteLength ?? 0
  const etag = etagOf(drive, entry)
  const headers: Record<string, string> = {
    'content-type': contentType(entry.key),
    'accept-ranges': 'bytes',
    etag,
    // A version is immutable; the latest must be checked again each time (the ETag makes it cheap).
    'cache-control': target.version !== null ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  }
  const ifNoneMatch = request.headers.get('if-none-match')
  if (ifNoneMatch !== null && matchesEtag(ifNoneMatch, etag)) {
    return only(new Response(null, { status: 304, headers }))
  }
  const ifRange = request.headers.get('if-range')
  const range =
    ifRange !== null && ifRange.trim() !== etag
      ? null
      : parseRange(request.headers.get('range'), size)
  if (range === 'unsatisfiable') {
    throw new HttpError(
      416,
      'RANGE_NOT_SATISFIABLE',
      `The file has ${size} bytes: the range asked for starts past its end`,
      { 'content-range': `bytes */${size}` },
    )
  }
  let status = 200
  let start = 0
  let end = size - 1
  if (range) {
    status = 206
    ;({ start, end } = range)
    headers['content-range'] = `bytes ${start}-${end}/${size}`
  }
  headers['content-length'] = String(size === 0 ? 0 : end - start + 1)
  if (request.method === 'HEAD' || size === 0) return only(new Response(null, { status, headers }))
  const source = view.hyperdrive.createReadStream(entry, { start, end, timeout })
  return { response: new Response(null, { status, headers }), file: { source, release } }
}

function only(response: Response): Answer {
  return { response, file: null }
}

async function listing(
  view: Drive,
  target: Target,
  names: string[],
  accept: string,
  request: Request,
  timeout: number,
): Promise<Response> {
  const items: string[] = []
  for (const name of names.sort()) {
    const isFile = await deadline(
      view.hyperdrive.entry(joinPath(target.path, name), { timeout }),
      timeout,
      request.signal,
      peerTimeout(target.path, timeout),
    )
    items.push(isFile ? name : `${name}/`)
  }
  const headers = { vary: 'Accept', 'cache-control': 'no-cache' }
  if (/\btext\/html\b/i.test(accept)) {
    const title = escapeHtml(`Index of ${target.path === '/' ? '/' : target.path + '/'}`)
    const links = (target.path === '/' ? [] : ['../'])
      .concat(items)
      .map((n) => `<li><a href="${escapeHtml(encodeURI(n))}">${escapeHtml(n)}</a></li>`)
    const html = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n<ul>\n${links.join('\n')}\n</ul></body></html>\n`
    return new Response(request.method === 'HEAD' ? null : html, {
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
    })
  }
  return new Response(request.method === 'HEAD' ? null : JSON.stringify(items) + '\n', {
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
  })
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

function redirect(location: string): Response {
  return new Response(null, { status: 301, headers: { location } })
}

// --- writes ---------------------------------------------------------------------------------------

function sameToken(given: string, expected: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = crypto.createHash('sha256').update(given).digest()
  const b = crypto.createHash('sha256').update(expected).digest()
  return crypto.timingSafeEqual(a, b)
}

async function write(
  sdk: GatewaySDK,
  request: Request,
  opts: HyperFetchOptions,
  timeout: number,
): Promise<Response> {
  if (!opts.writable || !opts.token) {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'This gateway is read-only', {
      allow: READ_METHODS,
    })
  }
  const auth = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')
  if (!auth) {
    throw new HttpError(401, 'UNAUTHORIZED', 'Writes need Authorization: Bearer <token>', {
      'www-authenticate': 'Bearer realm="dat-sdk"',
    })
  }
  if (!sameToken(auth[1], opts.token)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'The token is not this gateway token', {
      'www-authenticate': 'Bearer realm="dat-sdk", error="invalid_token"',
    })
  }
  const target = parseTarget(new URL(request.url))
  if (!target) {
    throw new HttpError(
      404,
      'NOT_FOUND',
      'Nothing here: drives are at /hyper/<key or domain>/<path>',
    )
  }
  if (target.version !== null) {
    throw new HttpError(400, 'INVALID_VERSION', 'Only the latest version can be written')
  }
  if (target.folder) throw new HttpError(400, 'INVALID_PATH', 'A write names a file, not a folder')
  const drive = await openDrive(sdk, target.drive, timeout, request.signal)
  if (!drive.writable) {
    throw new HttpError(403, 'FORBIDDEN', 'This SDK cannot write that drive')
  }
  const headers = { 'content-type': 'application/json; charset=utf-8' }
  const existed = (await drive.hyperdrive.entry(target.path)) !== null
  if (request.method === 'DELETE') {
    if (!existed) throw new HttpError(404, 'NOT_FOUND', `No file ${target.path} in this drive`)
    await drive.del(target.path)
    const body = JSON.stringify({ path: target.path, version: drive.version }) + '\n'
    return new Response(body, { status: 200, headers })
  }
  await putStream(drive, target.path, request.body)
  const body = JSON.stringify({ path: target.path, version: drive.version }) + '\n'
  return new Response(body, { status: existed ? 200 : 201, headers })
}

/** Streams a request body into a drive file, waiting on the drive when it is slower. */
async function putStream(
  drive: Drive,
  path: string,
  body: ReadableStream<Uint8Array> | null,
): Promise<void> {
  const ws = drive.createWriteStream(path)
  const closed = new Promise<void>((resolve, reject) => {
    ws.once('close', resolve)
    ws.once('error', reject)
  })
  closed.catch(noop)
  try {
    if (body) {
      const reader = body.getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        if (!ws.write(value)) {
          await new Promise<void>((resolve, reject) => {
            const ondrain = () => {
              ws.off('error', onerror)
              resolve()
            }
            const onerror = (err: Error) => {
              ws.off('drain', ondrain)
              reject(err)
            }
            ws.once('drain', ondrain)
            ws.once('error', onerror)
          })
        }
      }
    }
    ws.end()
  } catch (err) {
    ws.destroy(err instanceof Error ? err : new Error(String(err)))
    throw new HttpError(400, 'BAD_REQUEST', 'The request body broke off')
  }
  await closed
}

function noop(): void {}
