// `sdk.stats()`: every open part's transfer counts summed, with the networker's connections in
// place of peers and what moved over each connection. The counting itself is the parts' Meters
// (@dat-sdk/core-wrapper); this only adds them up.
import type { ConnectionTransfer, Meter, TransferStats } from '@dat-sdk/core-wrapper'
import type { Hypercore } from '@dat-sdk/store'

/** What every open part of an SDK has and has moved (payload bytes, not wire bytes). */
export interface SDKStats extends Omit<TransferStats, 'peers'> {
  /** Connections open now, each counted once however many parts it replicates. */
  connections: number
  /** What moved over each open connection, in block payload bytes. */
  byConnection: ConnectionTransfer[]
}

/** A part with a Meter (a Core, Drive, Bee or Base). */
export interface Metered {
  readonly meter: Meter
  stats(): TransferStats
}

export function isMetered(part: unknown): part is Metered {
  const p = part as Partial<Metered> | null
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.stats === 'function' &&
    typeof p.meter === 'object'
  )
}

/** Sums `parts`' stats; a core open in two parts counts its blocks once. */
export function sumStats(
  parts: Iterable<Metered>,
  connections: ReadonlyArray<{ remotePublicKey: Uint8Array }>,
): SDKStats {
  const total: SDKStats = {
    blocks: 0,
    localBlocks: 0,
    byteLength: 0,
    downloadedBytes: 0,
    uploadedBytes: 0,
    downloadedBlocks: 0,
    uploadedBlocks: 0,
    downloadSpeed: 0,
    uploadSpeed: 0,
    connections: connections.length,
    byConnection: [],
  }
  const seen = new Set<string>()
  const byKey = new Map<string, ConnectionTransfer>()
  for (const c of connections) {
    const key = hex(c.remotePublicKey)
    if (byKey.has(key)) continue
    byKey.set(key, { remotePublicKey: c.remotePublicKey, downloadedBytes: 0, uploadedBytes: 0 })
  }
  for (const part of parts) {
    const s = part.stats()
    total.downloadedBytes += s.downloadedBytes
    total.uploadedBytes += s.uploadedBytes
    total.downloadedBlocks += s.downloadedBlocks
    total.uploadedBlocks += s.uploadedBlocks
    total.downloadSpeed += s.downloadSpeed
    total.uploadSpeed += s.uploadSpeed
    const fresh: Hypercore<unknown>[] = []
    for (const core of part.meter.cores()) {
      if (core.id === null || seen.has(core.id)) continue
      seen.add(core.id)
      fresh.push(core)
    }
    const owned = part.meter.stats(0, fresh)
    total.blocks += owned.blocks
    total.localBlocks += owned.localBlocks
    total.byteLength += owned.byteLength
    for (const c of part.meter.connections().values()) {
      const known = byKey.get(hex(c.remotePublicKey))
      if (!known) continue // closed since, or not one of the networker's
      known.downloadedBytes += c.downloadedBytes
      known.uploadedBytes += c.uploadedBytes
    }
  }
  total.byConnection = [...byKey.values()]
  return total
}

function hex(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')
}
