import type { Writable } from 'node:stream'
import { UsageError } from './args.js'

/** Where a command writes, and how it learns it should stop (Ctrl-C). */
export interface IO {
  /** Where a command's output goes. */
  stdout: Writable & { isTTY?: boolean }
  /** Where a command's errors and progress go. */
  stderr: Writable & { isTTY?: boolean }
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal
}

/** An error meant for the user as it is: one line, no code, no stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliError'
  }
}

/** Resolves when `signal` aborts (Ctrl-C): long-running commands wait on this. */
export function untilStopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}

/** Thrown out of a command's wait when Ctrl-C (or SIGTERM) came first; the command then closes. */
export class Stopped extends CliError {
  constructor() {
    super('Stopped')
    this.name = 'Stopped'
  }
}

/** Settles like `promise`, or rejects with `Stopped` as soon as `signal` aborts. */
export async function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onabort: (() => void) | undefined
  const stopped = new Promise<never>((_, reject) => {
    onabort = () => reject(new Stopped())
    if (signal.aborted) onabort()
    else signal.addEventListener('abort', onabort, { once: true })
  })
  try {
    return await Promise.race([promise, stopped])
  } finally {
    signal.removeEventListener('abort', onabort!)
  }
}

/** Rejects with `CliError(message)` after `ms` unless `promise` settles first; the timer never holds the process. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(message)), ms)
    timer.unref?.()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** One readable line for any error: what went wrong and, for an SDK error, its code. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError || err instanceof CliError) return err.message
  const e = err as { message?: unknown; code?: unknown; path?: unknown } | null
  const message =
    typeof e?.message === 'string' && e.message ? e.message.split('\n')[0] : String(err)
  // An SDK error (checked by shape, so this module loads nothing of the SDK).
  if (e && (e as Error).name === 'DatSdkError' && typeof e.code === 'string') {
    if (e.code === 'STORAGE_LOCKED') {
      return `${message} (STORAGE_LOCKED): another dat-sdk is using it; pass --storage <another dir>`
    }
    return `${message} (${e.code})`
  }
  if (e?.code === 'ENOENT' && typeof e.path === 'string') return `No such file or folder: ${e.path}`
  if (e?.code === 'EACCES' && typeof e.path === 'string') return `Permission denied: ${e.path}`
  return message
}
