// Our requests on one exchange, answered in order: what we asked for (the union of what the hosts
// wanted), how much of each feed the remote said it holds, which answered keys we take, and the
// wait until we hold what the remote listed.
import b4a from 'b4a'
import type { Hypercore } from '@dat-sdk/store'
import type { HostWant, SessionHost } from './hosts.js'
import type { ManifestEntry } from './messages.js'

export interface PendingRequest {
  keys: Uint8Array[]
  lengths: Map<string, number>
  wants: HostWant[]
  initial: boolean
}

/** A request for every key of `wants`, remembering the most of each feed `entries` listed. */
export function newRequest(
  entries: ManifestEntry[],
  wants: HostWant[],
  initial: boolean,
): PendingRequest {
  const keys = new Map<string, Uint8Array>()
  for (const w of wants) for (const hex of w.keys) keys.set(hex, b4a.from(hex, 'hex'))
  const lengths = new Map<string, number>()
  for (const e of entries) {
    const hex = b4a.toString(e.key, 'hex')
    lengths.set(hex, Math.max(lengths.get(hex) ?? 0, e.length))
  }
  return { keys: [...keys.values()], lengths, wants, initial }
}

/** Only what we asked for: an answer cannot make us open a feed we did not want. */
export function takeAnswer(pending: PendingRequest, answered: Uint8Array[]): Uint8Array[] {
  const asked = new Set(pending.keys.map((k) => b4a.toString(k, 'hex')))
  const keys: Uint8Array[] = []
  for (const key of answered) {
    const hex = b4a.toString(key, 'hex')
    if (!asked.delete(hex)) continue
    keys.push(b4a.from(key))
  }
  return keys
}

/** `host` left: it gives up its wants (and the feeds it reserved) in every pending request. */
export function withdraw(pending: PendingRequest[], host: SessionHost): void {
  for (const p of pending) {
    p.wants = p.wants.filter((w) => {
      if (w.host === host) host.release(w.reserved)
      return w.host !== host
    })
  }
}

/** Resolves once `core` holds blocks [0, length), or when `closed` resolves. */
export async function hold(
  core: Hypercore<unknown>,
  length: number,
  closed: Promise<void>,
): Promise<void> {
  const range = core.download({ start: 0, end: length })
  try {
    await Promise.race([range.done(), closed])
  } finally {
    range.destroy()
  }
}
