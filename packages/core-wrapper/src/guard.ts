// Reads of an encrypted structure behind its header check (store's HeaderCheck): a stream that
// hands out nothing until block 0 has decoded as the structure's header.
import { Readable } from 'streamx'
import { closedError, type HeaderCheck } from '@dat-sdk/store'

/** What a guarded stream wraps: any async iterable that can be destroyed (a streamx readable). */
export interface GuardedSource<T> extends AsyncIterable<T> {
  /** Ends the stream, with `err` if given. */
  destroy(err?: Error | null): void
}

/**
 * The stream `make()` gives, once `check` has passed: while the check has no answer yet (block 0
 * of a remote structure has not arrived), each item waits for it; when it fails, the stream
 * errors with `DECRYPTION_FAILED` and hands out nothing. `what` names the part in `CLOSED`.
 */
export function guardStream<T>(
  check: HeaderCheck,
  make: () => GuardedSource<T>,
  what: string,
): Readable<T> {
  let source: GuardedSource<T> | null = null
  let items: AsyncIterator<T> | null = null
  const passed = async (): Promise<void> => {
    if (check.state === 'valid') return
    const state = await check.verify()
    check.assert()
    // Still no answer after waiting: the structure closed (or its block 0 timed out).
    if (state !== 'valid') throw closedError(what)
  }
  return new Readable<T>({
    open(cb) {
      check.verify().then(() => {
        try {
          check.assert()
          source = make()
          items = source[Symbol.asyncIterator]()
          cb(null)
        } catch (err) {
          cb(err as Error)
        }
      }, cb)
    },
    read(cb) {
      items!.next().then(
        async ({ value, done }) => {
          if (done) {
            this.push(null)
            return cb(null)
          }
          try {
            await passed()
          } catch (err) {
            return cb(err as Error)
          }
          this.push(value)
          cb(null)
        },
        async (err: Error) => {
          const state = await check.verify({ wait: false })
          cb(state === 'invalid' ? tryAssert(check) : err)
        },
      )
    },
    predestroy() {
      source?.destroy()
    },
    destroy(cb) {
      source?.destroy()
      cb(null)
    },
  })
}

function tryAssert(check: HeaderCheck): Error | null {
  try {
    check.assert()
    return null
  } catch (err) {
    return err as Error
  }
}
