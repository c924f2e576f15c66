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
  // Hypercore's streams have no `closed` flag and fire 'close' once, so a second close() must
  // reuse the first one's promise rather than wait for an event that already happened.
  let closing: Promise<void> | null = null
  return {
    a: sa,
    b: sb,
    close() {
      closing ??= Promise.all([closed(sa), closed(sb)]).then(noop)
      return closing
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
