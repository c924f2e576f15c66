import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import ReadyResource from 'ready-resource'
import { toHex, type Drive } from '@dat-sdk/sdk'
import { keyResolver, type GatewaySDK } from './drives.js'
import { errorResponse, HttpError } from './errors.js'
import { answer, type FileBody, type HyperFetchOptions } from './fetch.js'
import { driveName, labelOf, parseHost, type HostRules } from './host.js'
import { Tokens, type TokenOptions } from './tokens.js'
import type { Access } from './write.js'

export type { TokenOptions }

/** Options for a Gateway: where it listens, whether it accepts writes, and its tokens. */
export interface GatewayOptions extends HyperFetchOptions {
  /** The port to listen on (default 0: any free one; `url` says which). */
  port?: number
  /** The address to bind (default `127.0.0.1`: only this machine can reach it). */
  host?: string
  /**
   * Serve each drive on an origin of its own, `http://<z32 key>.localhost:<port>/` (default true);
   * the path form on `localhost:<port>` then redirects there. `false`: the path form only.
   */
  subdomains?: boolean
  /**
   * More `Host` names to answer (the path form), besides `127.0.0.1`, `localhost`, `[::1]` and
   * `host`: `name` (any port: behind a proxy) or `name:port`. Any other `Host` gets `421`.
   */
  hosts?: string[]
}

// Methods a fetch Request cannot be built with; the gateway answers them 405 itself.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * `hyperFetch` on a `node:http` server: `url` is where it listens, `token` what writes must carry
 * (null when read-only). `close()` stops listening and ends every open connection, live streams
 * included; the SDK it was given stays open.
 */
export class Gateway extends ReadyResource {
  /** The SDK the gateway reads drives through. */
  readonly sdk: GatewaySDK
  /** Whether the gateway accepts writes (with a token). */
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
  private readonly _subdomains: boolean
  private readonly _hosts: string[]
  private readonly _tokens = new Tokens()
  private readonly _access: Access
  private _rules: HostRules | null = null

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
    if (opts.subdomains !== undefined && typeof opts.subdomains !== 'boolean') {
      throw new TypeError('opts.subdomains is a boolean')
    }
    this._subdomains = opts.subdomains ?? true
    if (opts.hosts !== undefined && !(Array.isArray(opts.hosts) && opts.hosts.every(isName))) {
      throw new TypeError('opts.hosts is an array of host names (name or name:port)')
    }
    this._hosts = (opts.hosts ?? []).map((h) => h.toLowerCase())
    if (this.token) this._tokens.add(this.token, { key: null, paths: null, expires: null })
    this._access = {
      grant: (token) => this._tokens.find(token),
      originAllowed: (origin, name, drive) => this._originAllowed(origin, name, drive),
    }
    this._fetchOptions = {
      writable: this.writable,
      token: this.token,
      ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
      ...(opts.encryptionKeys !== undefined ? { encryptionKeys: opts.encryptionKeys } : {}),
    }
    keyResolver(opts.encryptionKeys) // a malformed key: a TypeError now, not on the first request
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
    const name = address.includes(':') ? `[${address}]` : address
    this.url = `http://${name}:${port}/`
    const names = new Set(['127.0.0.1', '[::1]', name])
    const given = this._host.toLowerCase()
    if (given !== 'localhost') names.add(given.includes(':') ? `[${given}]` : given)
    names.delete('localhost')
    this._rules = {
      port,
      names,
      extra: this._hosts,
      subdomains: this._subdomains,
      anyAddress: address === '0.0.0.0' || address === '::',
    }
  }

  /**
   * A bearer token that writes only `opts.drive` (only below `opts.paths`, only until
   * `opts.expires`): hand it to that drive's page. Needs a gateway made with `writable: true`.
   */
  createToken(opts: TokenOptions): string {
    if (!this.writable)
      throw new TypeError('createToken() needs a gateway made with writable: true')
    return this._tokens.create(opts)
  }

  /** Withdraws a token `createToken()` gave (true if it was one); its next write gets `401`. */
  revokeToken(token: string): boolean {
    if (token === this.token) throw new TypeError('The gateway-wide token cannot be revoked')
    return this._tokens.revoke(token)
  }

  /** A write's `Origin` must be its drive's own origin (or, with `subdomains: false`, the gateway's). */
  private _originAllowed(origin: string, name: string, drive: Drive): boolean {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      return false
    }
    if (url.protocol !== 'http:' || this._rules === null) return false
    let host
    try {
      host = parseHost(url.host, this._rules)
    } catch {
      return false
    }
    if (host.kind !== 'drive') return !this._subdomains
    if (host.key !== undefined) return toHex(host.key) === toHex(drive.key!)
    return host.domain === name.toLowerCase()
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
      const url = this._route(req, method)
      if (url instanceof Response) {
        response = url
        req.resume()
      } else if (FORBIDDEN_METHODS.has(method)) {
        response = errorResponse(
          405,
          'METHOD_NOT_ALLOWED',
          `${method} is not something this gateway does`,
        )
        req.resume()
      } else {
        ;({ response, file } = await answer(
          this.sdk,
          toRequest(req, method, url, abort.signal),
          this._fetchOptions,
          this._access,
        ))
      }
    } catch (err) {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(400, 'BAD_REQUEST', 'The request could not be read')
      response = errorResponse(e.status, e.code, e.message, e.headers)
      req.resume()
    }
    if (file) sendFile(res, response, file)
    else await send(res, response, method === 'HEAD', abort.signal)
  }

  /**
   * The URL `answer()` reads for this request: the path form as it is, a drive's subdomain as
   * `hyper://<drive>/<path>`; or the answer itself: `421` for a `Host` the gateway does not serve,
   * the `301` from the path form on `localhost` to the subdomain form.
   */
  private _route(req: http.IncomingMessage, method: string): URL | Response {
    const rules = this._rules
    if (rules === null) throw new HttpError(503, 'CLOSED', 'The gateway is not listening')
    const host = parseHost(req.headers.host, rules)
    const url = new URL(req.url ?? '/', this.url)
    if (host.kind === 'drive') {
      // The URL parser resolves `.` / `..` segments here too: the path stays inside the drive.
      return new URL(`${url.pathname}${url.search}`, `hyper://${driveName(host)}/`)
    }
    if (
      host.kind === 'localhost' &&
      this._subdomains &&
      (method === 'GET' || method === 'HEAD') &&
      url.pathname.startsWith('/hyper/')
    ) {
      const after = url.pathname.slice('/hyper/'.length)
      const slash = after.indexOf('/')
      const label = labelOf(safeDecode(slash === -1 ? after : after.slice(0, slash)))
      if (label !== null) {
        const rest = slash === -1 ? '/' : after.slice(slash)
        const location = `http://${label}.localhost:${rules.port}${rest}${url.search}`
        // CORS too: a page of another origin that fetches the path form follows it (the drive's
        // own answer then decides whether that page may read it).
        const headers = { location, 'access-control-allow-origin': '*' }
        return new Response(null, { status: 301, headers })
      }
    }
    return url
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
  url: URL,
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
  // The URL parser resolved `.` / `..` segments: `/hyper/k/../../x` is `/x`, not a drive path.
  return new Request(url, init)
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

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function isName(host: unknown): host is string {
  return typeof host === 'string' && /^[A-Za-z0-9.\-[\]:_]+$/.test(host)
}

function noop(): void {}
