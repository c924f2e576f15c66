import type { ExtensionHandlers } from '@dat-sdk/interfaces'
import type { MessageCodec } from './encoding.js'
import { DatSdkError, isDatSdkError } from './errors.js'

/**
 * The one `BAD_MESSAGE` wrapper of the SDK: whatever went wrong with a peer's message (it did not
 * decode, or its handler threw or rejected) as a `DatSdkError` with code `BAD_MESSAGE`. An error
 * that already has that code is returned as it is.
 */
export function asBadMessage(cause: unknown, what = 'A message from a peer'): DatSdkError {
  if (isDatSdkError(cause, 'BAD_MESSAGE')) return cause
  const why = cause instanceof Error ? cause.message : String(cause)
  return new DatSdkError('BAD_MESSAGE', `${what} failed: ${why}`, { cause })
}

/** What a dispatch needs of a registration: the handlers given to `registerExtension()`. */
export type DispatchHandlers<M, P> = Pick<ExtensionHandlers<M, P>, 'onmessage' | 'onerror'>

/**
 * Delivers `bytes` that `peer` sent on extension `name`, the one way every extension layer of the
 * SDK does it (core-wrapper's `Core`, networker's connection extensions): decode with `codec`,
 * call `onmessage` inside a try/catch, and catch a returned promise's rejection without handing
 * the promise back (protomux would hold the connection's traffic while it is pending). Anything
 * that fails becomes `BAD_MESSAGE` and goes to `onerror` (whose own throw is swallowed), then to
 * `report` (the host's `'extension-error'`). Never throws.
 */
export function dispatchMessage<M, P>(
  name: string,
  codec: MessageCodec<M>,
  handlers: DispatchHandlers<M, P>,
  bytes: Uint8Array,
  peer: P,
  report: (err: DatSdkError, peer: P) => void,
): void {
  const fail = (cause: unknown, what: string): void => {
    const err = asBadMessage(cause, what)
    try {
      handlers.onerror?.(err, peer)
    } catch {
      // An onerror that throws has nowhere left to report to; the connection carries on.
    }
    try {
      report(err, peer)
    } catch {
      // Same for the host's 'extension-error' listeners.
    }
  }
  let message: M
  try {
    message = codec.decode(bytes)
  } catch (err) {
    fail(err, `A message on extension '${name}'`)
    return
  }
  try {
    const result: unknown = handlers.onmessage?.(message, peer)
    if (isPromiseLike(result)) {
      result.then(undefined, (err: unknown) => fail(err, `The handler of extension '${name}'`))
    }
  } catch (err) {
    fail(err, `The handler of extension '${name}'`)
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
