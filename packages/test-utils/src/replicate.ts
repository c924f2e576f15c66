import type { Duplex } from 'node:stream'

export interface Replicable {
  replicate(isInitiator: boolean, opts?: object): Duplex
}

export interface ReplicatedPair {
  a: Duplex
  b: Duplex
  /** Ends both streams and waits until both have closed. */
  close(): Promise<void>
}

/** Pipes `a.replicate(true)` into `b.replicate(false)` and back: replication with no network. */
export function replicatePair(a: Replicable, b: Replicable, opts?: object): ReplicatedPair {
  const sa = a.replicate(true, opts)
  const sb = b.replicate(false, opts)
  sa.pipe(sb).pipe(sa)
  // A torn-down pair reports "closed" errors; the test asserts on what it cares about.
  sa.on('error', noop)
  sb.on('error', noop)
  return {
    a: sa,
    b: sb,
    async close() {
      await Promise.all([closed(sa), closed(sb), Promise.resolve().then(() => sa.destroy())])
    },
  }
}

function closed(stream: Duplex): Promise<void> {
  if (stream.destroyed && (stream as { closed?: boolean }).closed) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('close', () => resolve())
    stream.destroy()
  })
}

function noop(): void {}
