/**
 * Every error the SDK throws or emits carries one of these stable codes (the API contract's
 * table). `@dat-sdk/store` has the runtime list (`ErrorCodes`) and the error class.
 */
export type ErrorCode =
  | 'INVALID_KEY'
  | 'NAME_NOT_FOUND'
  | 'DNS_TIMEOUT'
  | 'STORAGE_LOCKED'
  | 'BAD_MESSAGE'
  | 'MESSAGE_TOO_LARGE'
  | 'TOO_MANY_KEYS'
  | 'UNKNOWN_PEER'
  | 'CLOSED'
  | 'ERR_VERSION_MISMATCH'
  | 'ERR_CLIENT_MISMATCH'
  | 'KEY_MISMATCH'
  | 'TOO_MANY_FEEDS'
  | 'FILE_UNREADABLE'
  | 'FILE_UNWRITABLE'
  | 'INVITE_INVALID'
  | 'PEER_TIMEOUT'
  | 'NOT_SUPPORTED'
  | 'DECRYPTION_FAILED'
  | 'MISDIRECTED'
  | 'NOT_WRITABLE'
  | 'NOT_READY'
  // The gateway's answers (`@dat-sdk/gateway`): what HTTP said, for a program.
  | 'NOT_FOUND'
  | 'INVALID_PATH'
  | 'INVALID_VERSION'
  | 'RANGE_NOT_SATISFIABLE'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'INTERNAL'

/** An error of the SDK: match on `code`, never on the message. */
export interface SdkError extends Error {
  /** The stable error code from the contract, for code to test (never the message). */
  readonly code: ErrorCode
}
