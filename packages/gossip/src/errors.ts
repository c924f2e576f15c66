import type { ErrorCode, SdkError } from '@dat-sdk/interfaces'

/** The codes `@dat-sdk/gossip` throws or reports (a subset of the SDK's table in API.md). */
export type GossipErrorCode = Extract<
  ErrorCode,
  'BAD_MESSAGE' | 'MESSAGE_TOO_LARGE' | 'TOO_MANY_KEYS' | 'INVALID_KEY' | 'CLOSED' | 'UNKNOWN_PEER'
>

/**
 * The one error class of this package. Match on `err.code`, never on the message. It is a local
 * class (not the SDK's `DatSdkError`) so that the package has no runtime dependency; the codes are
 * the SDK's, so `isDatSdkError(err)` from `@dat-sdk/store` recognises it.
 */
export class GossipError extends Error implements SdkError {
  /** The stable error code from the contract, for code to test (never the message). */
  readonly code: GossipErrorCode

  constructor(code: GossipErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'GossipError'
    this.code = code
  }
}

/**
 * The package's `CLOSED` error, with the signature and wording of `closedError()` in
 * `@dat-sdk/store` ("The gossip is closed"), so every closed part of the SDK fails alike. It lives
 * here because gossip depends on no runtime SDK package (store would pull hypercore and corestore
 * into a package that runs on any `ExtensionHost`), and `@dat-sdk/interfaces` holds types only.
 */
export function closedError(what: string, cause?: unknown): GossipError {
  return new GossipError('CLOSED', `The ${what} is closed`, cause ? { cause } : undefined)
}
