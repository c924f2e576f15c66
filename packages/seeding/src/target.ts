// What the seeder needs of a part, whatever kind it is: its key, and every core it has now.
// The sdk builds one for each of its parts (a drive's db and blobs, an Autobase's system, writer
// and view cores), so this package needs none of them.
import type { BlindPeeringAutobase } from 'blind-peering'
import type { Hypercore } from '@dat-sdk/store'
import type { SeedKind } from './messages.js'

/** One core of a part. */
export interface SeedCore {
  /** The core. */
  core: Hypercore<unknown>
  /**
   * An Autobase view: only its signed length can travel (what lies past it is computed here), so
   * that is what a blind peer is asked to hold.
   */
  view?: boolean
}

/** A part to seed. */
export interface SeedTarget {
  /** What kind of part it is. */
  readonly kind: SeedKind
  /** The part's key. */
  readonly key: Uint8Array
  /**
   * Every core of the part as it is now (asked again as it grows: a drive's blobs, new writers).
   * A seed without blind peers reads these sessions as they are (it opens none of its own): when
   * one closes, the next call should give an open session of that core.
   */
  cores(): SeedCore[]
  /** Joins the part on the network, announcing it, until the returned handle is destroyed. */
  announce(): { destroy(): Promise<void> } | null
  /** An Autobase: handed to blind-peering whole, which follows its writers and views. */
  readonly autobase?: BlindPeeringAutobase | null
  /** Closes the part, when the seed opened it (a part the caller opened stays theirs). */
  close?(): Promise<void>
}
