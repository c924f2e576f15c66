// Requests through hyperFetch as a browser would send them, and reading what comes back.
import { hyperFetch, type GatewaySDK, type HyperFetchOptions } from '../../src/index.js'

export const ORIGIN = 'http://gateway.test'

/** `hyperFetch(sdk, new Request(ORIGIN + path, init))`. */
export function fetchPath(
  sdk: GatewaySDK,
  path: string,
  init: RequestInit = {},
  opts: HyperFetchOptions = {},
): Promise<Response> {
  return hyperFetch(sdk, new Request(ORIGIN + path, init), opts)
}

/** The JSON `{ code, message }` of an error answer. */
export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { code?: unknown; message?: unknown }
  if (typeof body.message !== 'string') throw new Error('An error answer without a message')
  return String(body.code)
}
