// The multifeeds that share one exchange. In join mode the multifeeds of this process with the
// same root key share one session per connection (protomux allows one channel per id on a
// connection, and the remote opens one): the session offers the union of their feeds, and each of
// them takes the remote feeds it wants. This file is that union and that fan-out; the exchange
// itself is in session.ts.
import type { MultifeedPeer } from '@dat-sdk/interfaces'
import b4a from 'b4a'
import { DatSdkError, type Hypercore } from '@dat-sdk/store'
import type { ManifestEntry } from './messages.js'
import type { Session } from './session.js'

/** What a session needs from its Multifeed (kept off the Multifeed's public surface). */
export interface SessionHost {
  readonly rootKey: Uint8Array
  readonly channelId: Uint8Array
  ready(): Promise<void>
  /** Every feed we hold and how much of it, for a manifest. */
  manifest(): ManifestEntry[]
  /** The keys of a remote manifest we want; reserves the new ones. Throws `TOO_MANY_FEEDS`. */
  want(entries: ManifestEntry[]): { keys: Uint8Array[]; reserved: string[] }
  release(reserved: string[]): void
  /** The requested keys we hold (and so will replicate). */
  have(keys: Uint8Array[]): Uint8Array[]
  /** Opens and records the remote feeds we do not have yet. */
  addRemoteFeeds(keys: Uint8Array[], from: Session): Promise<void>
  feed(key: Uint8Array): Hypercore<unknown> | undefined
  report(err: DatSdkError, peer: MultifeedPeer): void
  onhandshake(userData: Uint8Array | null, peer: MultifeedPeer): void
  /** A remote's manifest was taken in (the session emits `'remote-feeds'` on its stream itself). */
  onremotefeeds(session: Session): void
  onclose(session: Session): void
}

/** What one host of a session wanted of one request: those keys, and the feeds it reserved. */
export interface HostWant {
  host: SessionHost
  keys: Set<string>
  reserved: string[]
}

/**
 * What each of `hosts` wants of `entries`. A host over `maxFeeds` is left out (and told, when
 * `shared`: the others go on); `tooMany` says one was. Any other error (`accept()` threw) releases
 * what was reserved and is thrown.
 */
export function collectWants(
  hosts: Iterable<SessionHost>,
  entries: ManifestEntry[],
  shared: boolean,
  peer: MultifeedPeer,
): { wants: HostWant[]; tooMany: DatSdkError | null } {
  const wants: HostWant[] = []
  let tooMany: DatSdkError | null = null
  for (const host of hosts) {
    let wanted: { keys: Uint8Array[]; reserved: string[] }
    try {
      wanted = host.want(entries)
    } catch (err) {
      if (err instanceof DatSdkError && err.code === 'TOO_MANY_FEEDS') {
        tooMany = err
        if (shared) host.report(err, peer) // the others go on
        continue
      }
      releaseWants(wants)
      throw err
    }
    wants.push({
      host,
      keys: new Set(wanted.keys.map((k) => b4a.toString(k, 'hex'))),
      reserved: wanted.reserved,
    })
  }
  return { wants, tooMany }
}

export function releaseWants(wants: HostWant[]): void {
  for (const w of wants) w.host.release(w.reserved)
}

/** Gives each host still in `present` the answered `keys` it wanted. */
export function deliver(
  keys: Uint8Array[],
  wants: HostWant[],
  present: ReadonlySet<SessionHost>,
  from: Session,
): Promise<unknown> {
  return Promise.all(
    wants.map((w) => {
      const mine = keys.filter((key) => w.keys.has(b4a.toString(key, 'hex')))
      return present.has(w.host) ? w.host.addRemoteFeeds(mine, from) : undefined
    }),
  )
}

/** The union of the hosts' feeds, each with the most any of them holds. */
export function unionManifest(hosts: Iterable<SessionHost>): ManifestEntry[] {
  const byKey = new Map<string, ManifestEntry>()
  for (const host of hosts) {
    for (const e of host.manifest()) {
      const hex = b4a.toString(e.key, 'hex')
      const known = byKey.get(hex)
      if (!known || known.length < e.length) byKey.set(hex, e)
    }
  }
  return [...byKey.values()]
}

/** The `keys` any of the hosts holds, in the order asked. */
export function heldBy(hosts: Iterable<SessionHost>, keys: Uint8Array[]): Uint8Array[] {
  const held = new Set<string>()
  for (const host of hosts) {
    for (const key of host.have(keys)) held.add(b4a.toString(key, 'hex'))
  }
  return keys.filter((key) => held.has(b4a.toString(key, 'hex')))
}

/** The first host's feed of `key`. */
export function feedOf(
  hosts: Iterable<SessionHost>,
  key: Uint8Array,
): Hypercore<unknown> | undefined {
  for (const host of hosts) {
    const core = host.feed(key)
    if (core) return core
  }
  return undefined
}
