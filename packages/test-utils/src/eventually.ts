import type { EventEmitter } from 'node:events'

export interface EventuallyOptions {
  /** Give up after this many milliseconds (default 10,000). */
  timeout?: number
  /** Check this often, in milliseconds (default 20). */
  interval?: number
  /** Said in the error when time runs out. */
  message?: string
}

/**
 * Retries `fn` until it returns a truthy value, and resolves with that value; a throw counts as
 * "not yet". A function that asserts must end with `return true`. Rejects with the last failure
 * after `timeout`.
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  opts: EventuallyOptions = {},
): Promise<T> {
  const { timeout = 10_000, interval = 20 } = opts
  const deadline = Date.now() + timeout
  let last: unknown = null
  for (;;) {
    try {
      const value = await fn()
      if (value) return value
      last = null
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : ''
      throw new Error(`${opts.message ?? 'Condition not met'} within ${timeout} ms${why}`, {
        cause: last,
      })
    }
    await sleep(interval)
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves with the arguments of the next `event` on `emitter`, or rejects after `timeout`. */
export function once<T extends unknown[] = unknown[]>(
  emitter: Pick<EventEmitter, 'once'> & Partial<Pick<EventEmitter, 'off'>>,
  event: string,
  timeout = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off?.(event, onEvent)
      reject(new Error(`No '${event}' event within ${timeout} ms`))
    }, timeout)
    function onEvent(...args: unknown[]): void {
      clearTimeout(timer)
      // The caller names the tuple the event carries: a listener's arguments are not typed at run time.
      resolve(args as unknown as T)
    }
    emitter.once(event, onEvent)
  })
}
