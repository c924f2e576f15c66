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

/** An error of the SDK: match on `code`, never on the message. */
export interface SdkError extends Error {
  readonly code: ErrorCode
}
