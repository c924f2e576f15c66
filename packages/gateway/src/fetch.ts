import type { Answer, FileBody } from './answer.js'
import type { Drive } from '@dat-sdk/sdk'
import { keyResolver, type EncryptionKeys, type GatewaySDK, type KeyResolver } from './drives.js'
import { errorResponse, HttpError, toHttpError } from './errors.js'
import { read } from './read.js'
import { toWebStream } from './streams.js'
import { Tokens } from './tokens.js'
import { write, type Access } from './write.js'

export type { Answer, FileBody }

/** Options for `hyperFetch`: how long to wait for a drive's peers. */
export interface HyperFetchOptions {
  /** Take `PUT` and `DELETE` (with the token) on drives this SDK can write. Default false: `405`. */
  writable?: boolean
  /** The bearer token writes must carry; required when `writable`. */
  token?: string | null
  /** How long to wait for a peer to have a drive, or a block of it, in ms (default 30,000). */
  timeout?: number
  /**
   * The encryption keys of encrypted drives to serve: drive key (any spelling) to encryption key,
   * as a `Map` or an object, or a function of the drive's key. Keys never appear in an answer.
   */
  encryptionKeys?: EncryptionKeys
}

export type { EncryptionKeys }

// One resolver per `opts.encryptionKeys` given, not one per request.
const resolvers = new WeakMap<object, KeyResolver | null>()

function resolverOf(keys: EncryptionKeys | undefined): KeyResolver | null {
  if (keys === undefined || keys === null) return null
  let resolver = resolvers.get(keys)
  if (resolver === undefined) {
    resolver = keyResolver(keys)
    resolvers.set(keys, resolver)
  }
  return resolver
}

/** The default of `opts.timeout`: 30 s for a peer to have the drive. */
export const DEFAULT_TIMEOUT = 30_000

const READ_METHODS = 'GET, HEAD, OPTIONS'
const ALL_METHODS = 'GET, HEAD, PUT, DELETE, OPTIONS'

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

/**
 * `hyperFetch` with a file's stream left as the drive gives it (see `Answer`). `access` says which
 * tokens write what (the gateway's scoped tokens); by default `opts.token` writes every drive.
 */
export async function answer(
  sdk: GatewaySDK,
  request: Request,
  opts: HyperFetchOptions = {},
  access: Access | null = null,
): Promise<Answer> {
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT
  if (opts.writable && !opts.token) {
    throw new TypeError(
      'hyperFetch: opts.writable needs opts.token (the bearer token writes carry)',
    )
  }
  const keys = resolverOf(opts.encryptionKeys) // a malformed one is a TypeError, as above
  const method = request.method
  const reading = method === 'GET' || method === 'HEAD'
  let response: Response
  let file: FileBody | null = null
  const opened: { drive: Drive | null } = { drive: null }
  let encrypted = false
  try {
    const allow = opts.writable ? ALL_METHODS : READ_METHODS
    if (reading) {
      ;({ response, file } = await read(sdk, request, timeout, opened, keys))
    } else if (method === 'PUT' || method === 'DELETE') {
      if (!opts.writable || !opts.token) {
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'This gateway is read-only', { allow })
      }
      response = await write(sdk, request, access ?? tokenAccess(opts.token), timeout, keys)
    } else if (method === 'OPTIONS') {
      response = new Response(null, { status: 204, headers: { allow } })
    } else {
      const why = `${method} is not something this gateway does`
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', why, { allow })
    }
  } catch (err) {
    const e = toHttpError(err)
    encrypted = e.code === 'DECRYPTION_FAILED' || e.code === 'KEY_MISMATCH'
    response = errorResponse(e.status, e.code, e.message, e.headers)
  }
  // Drives are public data: any page may read them. Nothing else is open to other origins, nor is
  // an encrypted drive (its answers, errors included, are for its own origin).
  if (reading && !encrypted && (opened.drive === null || openToOtherOrigins(opened.drive))) {
    response.headers.set('access-control-allow-origin', '*')
    // What a page may read of a file answer beyond the safelisted headers (hypercore-fetch's too).
    response.headers.set(
      'access-control-expose-headers',
      'Accept-Ranges, Content-Range, ETag, X-Blocks, X-Blocks-Downloaded',
    )
  }
  return { response, file }
}

/**
 * Whether pages of other origins may read `drive` (CORS): a public drive, yes; an encrypted one,
 * no, so that only its own origin (`<key>.localhost`) reads what its key decrypts.
 */
export function openToOtherOrigins(drive: Drive): boolean {
  const core: object = drive.hyperdrive.core
  const encryption = 'encryption' in core ? core.encryption : null
  return encryption === null || encryption === undefined
}

/** The one gateway-wide `token`, writing every drive. */
function tokenAccess(token: string): Access {
  const tokens = new Tokens()
  tokens.add(token, { key: null, paths: null, expires: null })
  return { grant: (given) => tokens.find(given) }
}
