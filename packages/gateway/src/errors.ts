import type { ErrorCode } from '@dat-sdk/sdk'

/**
 * The `code` of a gateway's JSON error body: one of the SDK's codes (`ErrorCode`, the one list).
 * The SDK's own where one fits (`INVALID_KEY`, `NAME_NOT_FOUND`, `DNS_TIMEOUT`, `PEER_TIMEOUT`,
 * `CLOSED`, `MISDIRECTED`, `DECRYPTION_FAILED`, `KEY_MISMATCH`); the HTTP ones (`NOT_FOUND`, `INVALID_PATH`, `INVALID_VERSION`,
 * `RANGE_NOT_SATISFIABLE`, `METHOD_NOT_ALLOWED`, `UNAUTHORIZED`, `FORBIDDEN`, `BAD_REQUEST`,
 * `INTERNAL`) say what HTTP said, for a program.
 */
export type GatewayErrorCode = ErrorCode

/** An answer that is an error: thrown inside the gateway, turned into a JSON `Response` at the edge. */
export class HttpError extends Error {
  readonly status: number
  readonly code: GatewayErrorCode
  readonly headers: Record<string, string>

  constructor(
    status: number,
    code: GatewayErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.code = code
    this.headers = headers
  }
}

/** `{ code, message }` as JSON with `status`. */
export function errorResponse(
  status: number,
  code: GatewayErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ code, message }) + '\n', {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })
}

/** What an error thrown while answering becomes: SDK codes keep their meaning, the rest is a 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err
  const code = (err as { code?: unknown } | null)?.code
  const message = err instanceof Error ? err.message : String(err)
  switch (code) {
    case 'INVALID_KEY':
      return new HttpError(400, 'INVALID_KEY', message)
    case 'NAME_NOT_FOUND':
      return new HttpError(404, 'NAME_NOT_FOUND', message)
    case 'DNS_TIMEOUT':
      return new HttpError(504, 'DNS_TIMEOUT', message)
    case 'REQUEST_TIMEOUT': // hypercore: a block no peer sent in time
      return new HttpError(504, 'PEER_TIMEOUT', 'No peer sent the data in time')
    case 'DECRYPTION_FAILED':
      return new HttpError(
        403,
        'DECRYPTION_FAILED',
        'This drive is encrypted, and the gateway has no key for it, or a wrong one',
      )
    case 'KEY_MISMATCH':
      return new HttpError(
        409,
        'KEY_MISMATCH',
        'This drive is open here with another encryption key',
      )
    case 'CLOSED':
    case 'SESSION_CLOSED':
      return new HttpError(503, 'CLOSED', 'The SDK or the drive is closed')
    default:
      return new HttpError(500, 'INTERNAL', message)
  }
}
