/** Every error the SDK throws or emits carries one of these stable codes (see the API contract). */
export const ErrorCodes = [
  'INVALID_KEY',
  'NAME_NOT_FOUND',
  'DNS_TIMEOUT',
  'STORAGE_LOCKED',
  'BAD_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'TOO_MANY_KEYS',
  'UNKNOWN_PEER',
  'CLOSED',
  'ERR_VERSION_MISMATCH',
  'ERR_CLIENT_MISMATCH',
  'KEY_MISMATCH',
  'TOO_MANY_FEEDS',
  // Folder sync (drive-wrapper): a file that could not be read from, or written to, the folder.
  'FILE_UNREADABLE',
  'FILE_UNWRITABLE',
  // Autobase: an invite that is malformed, used, expired or for another base; no writer answered.
  'INVITE_INVALID',
  'PEER_TIMEOUT',
] as const

export type ErrorCode = (typeof ErrorCodes)[number]

/** The one error class of the SDK: match on `err.code`, never on the message. */
export class DatSdkError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DatSdkError'
    this.code = code
  }
}

/** True when `err` is an SDK error, optionally with the given code (works across package copies). */
export function isDatSdkError(err: unknown, code?: ErrorCode): err is DatSdkError {
  if (typeof err !== 'object' || err === null) return false
  const c = (err as { code?: unknown }).code
  return (
    typeof c === 'string' && (ErrorCodes as readonly string[]).includes(c) && (!code || c === code)
  )
}
