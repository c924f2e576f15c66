/**
 * The `code` of a gateway's JSON error body. The SDK's own codes where one fits (`INVALID_KEY`,
 * `NAME_NOT_FOUND`, `DNS_TIMEOUT`, `PEER_TIMEOUT`); the rest say what HTTP said, for a program.
 */
export type GatewayErrorCode =
  | 'INVALID_KEY'
  | 'NAME_NOT_FOUND'
  | 'DNS_TIMEOUT'
  | 'PEER_TIMEOUT'
  | 'CLOSED'
  | 'NOT_FOUND'
  | 'INVALID_PATH'
  | 'INVALID_VERSION'
  | 'RANGE_NOT_SATISFIABLE'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'MISDIRECTED'
  | 'BAD_REQUEST'
  | 'INTERNAL'

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
    case 'CLOSED':
    case 'SESSION_CLOSED':
      return new HttpError(503, 'CLOSED', 'The SDK or the drive is closed')
    default:
      return new HttpError(500, 'INTERNAL', message)
  }
}
