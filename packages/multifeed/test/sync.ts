// Piping two replication streams and waiting for the outcome, as the multifeed tests need it.
import type { Duplex } from 'node:stream'

export interface Outcome {
  /** Resolves when both streams have closed; rejects with the first stream error. */
  done: Promise<void>
  /** Every error each stream emitted (the API promises at most one each). */
  errors: [Error[], Error[]]
}

export function pipe(a: Duplex, b: Duplex): Outcome {
  const errors: [Error[], Error[]] = [[], []]
  let closed = 0
  const done = new Promise<void>((resolve, reject) => {
    ;[a, b].forEach((s, i) => {
      s.on('error', (err: Error) => {
        errors[i].push(err)
        reject(err)
      })
      s.on('close', () => {
        if (++closed === 2) resolve()
      })
    })
  })
  done.catch(() => {})
  a.pipe(b).pipe(a)
  return { done, errors }
}

/** Waits for both streams to close, whatever errors they end with. */
export function settled(a: Duplex, b: Duplex): Promise<void> {
  const closed = (s: Duplex) =>
    (s as Duplex & { closed?: boolean }).closed || s.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => s.once('close', () => resolve()))
  return Promise.all([closed(a), closed(b)]).then(() => {})
}
