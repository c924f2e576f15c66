import type { ErrorCode, SdkError } from '@dat-sdk/interfaces'

export type { ErrorCode }

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
  // Autobase invites, the gateway, and calls a custom networker does not offer.
  'INVITE_INVALID',
  'PEER_TIMEOUT',
  'NOT_SUPPORTED',
  // Encrypted parts read without their key (or with a wrong one); the gateway's Host check;
  // state errors (a write on a part this peer cannot write, a call that needs ready() first).
  'DECRYPTION_FAILED',
  'MISDIRECTED',
  'NOT_WRITABLE',
  'NOT_READY',
  // The gateway's HTTP answers: a missing file, a path or version it cannot serve, a bad range,
  // a method, token or origin it refuses, a malformed request, its own failure.
  'NOT_FOUND',
  'INVALID_PATH',
  'INVALID_VERSION',
  'RANGE_NOT_SATISFIABLE',
  'METHOD_NOT_ALLOWED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'BAD_REQUEST',
  'INTERNAL',
] as const satisfies readonly ErrorCode[]

// Every code of the contract is in the runtime list (a compile error names the missing one).
type Missing = Exclude<ErrorCode, (typeof ErrorCodes)[number]>
const everyCode: [Missing] extends [never] ? true : Missing = true
void everyCode

/** The one error class of the SDK: match on `err.code`, never on the message. */
export class DatSdkError extends Error implements SdkError {
  /** The stable error code from the contract, for code to test (never the message). */
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

/** The one `CLOSED` error: `what` names the closed part ("The store is closed"). */
export function closedError(what: string, cause?: unknown): DatSdkError {
  return new DatSdkError('CLOSED', `The ${what} is closed`, cause ? { cause } : undefined)
}
