import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import ReadyResource from 'ready-resource'
import type { GatewaySDK } from './drives.js'
import { errorResponse } from './errors.js'
import { answer, type FileBody, type HyperFetchOptions } from './fetch.js'

export interface GatewayOptions extends HyperFetchOptions {
  /** The port to listen on (default 0: any free one; `url` says which). */
  port?: number
  /** The address to bind (default `127.0.0.1`: only this machine can reach it). */
  host?: string
}

// Methods a fetch Request cannot be built with; the gateway answers them 405 itself.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * `hyperFetch` on a `node:http` server: `url` is where it listens, `token` what writes must carry
 * (null when read-only). `close()` stops listening and ends every open connection, live streams
 * included; the SDK it was given stays open.
 */
export class Gateway extends ReadyResource {
  readonly sdk: GatewaySDK
  readonly writable: boolean
  /** The bearer token for `PUT` / `DELETE` (the one given, or a random one), or null when read-only. */
  readonly token: string | null
  /** `http://<host>:<port>/`, once `ready()` resolved. */
  url = ''
  private readonly _server: http.Server
  private readonly _port: number
  private readonly _host: string
  private readonly _fetchOptions: HyperFetchOptions
  private readonly _requests = new Set<AbortController>()

  constructor(sdk: GatewaySDK, opts: GatewayOptions = {}) {
    super()
    if (!sdk || typeof sdk.Hyperdrive !== 'function') {
      throw new TypeError('createGateway() takes an SDK (from createSDK())')
    }
    this.sdk = sdk
    this.writable = opts.writable === true
    if (opts.token !== undefined && opts.token !== null && typeof opts.token !== 'string') {
      throw new TypeError('opts.token is a string')
    }
    if (opts.token === '') throw new TypeError('opts.token cannot be empty')
    this.token = this.writable ? (opts.token ?? crypto.randomBytes(32).toString('base64url')) : null
    this._port = opts.port ?? 0
    this._host = opts.host ?? '127.0.0.1'
    this._fetchOptions = {
      writable: this.writable,
      token: this.token,
      ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    }
    this._server = http.createServer((req, res) => this._onrequest(req, res))
    this.ready().catch(noop)
  }

  protected override async _open(): Promise<void> {
    const server = this._server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this._port, this._host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const { address, port } = server.address() as AddressInfo
    this.url = `http://${address.includes(':') ? `[${address}]` : address}:${port}/`
  }

  protected override async _close(): Promise<void> {
    const server = this._server
    if (!server.listening) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const request of this._requests) request.abort() // live streams and waits end now
    server.closeAllConnections()
    await closed
  }

  private async _onrequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const abort = new AbortController()
    this._requests.add(abort)
    res.once('close', () => {
      abort.abort()
      this._requests.delete(abort)
    })
    const method = (req.method ?? 'GET').toUpperCase()
    let response: Response
    let file: FileBody | null = null
    try {
      if (FORBIDDEN_METHODS.has(method)) {
        response = errorResponse(
          405,
          'METHOD_NOT_ALLOWED',
          `${method} is not something this gateway does`,
        )
      } else {
        ;({ response, file } = await answer(
          this.sdk,
          toRequest(req, method, this.url, abort.signal),
          this._fetchOptions,
        ))
      }
    } catch {
      response = errorResponse(400, 'BAD_REQUEST', 'The request could not be read')
    }
    if (file) sendFile(res, response, file)
    else await send(res, response, method === 'HEAD', abort.signal)
  }
}

/** Starts a gateway for `sdk` and resolves once it listens (rejects when the port is taken...). */
export async function createGateway(sdk: GatewaySDK, opts: GatewayOptions = {}): Promise<Gateway> {
  const gateway = new Gateway(sdk, opts)
  await gateway.ready()
  return gateway
}

function toRequest(
  req: http.IncomingMessage,
  method: string,
  base: string,
  signal: AbortSignal,
): Request {
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && method !== 'DELETE') {
    init.body = bodyOf(req)
    init.duplex = 'half' // a streamed body
  } else {
    req.resume() // nothing is read from it: let it drain so the connection can be reused
  }
  // The URL parser resolves `.` / `..` segments here: `/hyper/k/../../x` is `/x`, not a drive path.
  return new Request(new URL(req.url ?? '/', base), init)
}

/** The request body as a web stream, read only as fast as the drive takes it. */
function bodyOf(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  const it = req[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = (await it.next()) as IteratorResult<Uint8Array>
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      cancel() {
        req.destroy()
      },
    },
    new CountQueuingStrategy({ highWaterMark: 4 }),
  )
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  return headers
}

/**
 * Pipes a file's drive stream straight into the `node:http` response: the drive's blocks go to the
 * socket as they are (no web-stream leg, no copy), the drive is read only as fast as the client
 * takes them (backpressure), and the stream is destroyed when the client goes.
 */
function sendFile(res: http.ServerResponse, response: Response, file: FileBody): void {
  const { source, release } = file
  source.once('close', release)
  if (res.destroyed) {
    source.destroy()
    return
  }
  res.writeHead(response.status, headersOf(response))
  const resume = () => source.resume()
  res.on('drain', resume)
  res.once('close', () => {
    res.off('drain', resume)
    source.destroy() // the client went (or all was sent: then this is a no-op)
  })
  source.on('data', (data: Uint8Array) => {
    if (!res.write(data)) source.pause()
  })
  source.once('end', () => res.end())
  // A body that failed half-way: the client must not take it for the whole file.
  source.once('error', () => res.destroy())
}

/** Writes a `Response` to a `node:http` response, honouring backpressure; stops when the client goes. */
async function send(
  res: http.ServerResponse,
  response: Response,
  head: boolean,
  signal: AbortSignal,
): Promise<void> {
  const headers = headersOf(response)
  if (res.destroyed) {
    response.body?.cancel().catch(noop)
    return
  }
  res.writeHead(response.status, headers)
  const body = response.body
  if (!body || head) {
    body?.cancel().catch(noop)
    res.end()
    return
  }
  if (headers['content-type']?.startsWith('text/event-stream')) res.flushHeaders()
  const reader = body.getReader()
  const onabort = () => reader.cancel().catch(noop)
  signal.addEventListener('abort', onabort, { once: true })
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      if (!res.write(value)) await drained(res)
      if (signal.aborted) break
    }
    res.end()
  } catch {
    res.destroy() // a body that failed half-way: the client must not take it for the whole file
  } finally {
    signal.removeEventListener('abort', onabort)
  }
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

function noop(): void {}
