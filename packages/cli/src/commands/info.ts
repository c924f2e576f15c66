import { parseRef, toKey, toZ32, type SDK, type TransferStats } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, within, type IO } from '../io.js'
import { formatBytes } from '../progress.js'
import { openSDK } from './common.js'

/** How long `info` looks for peers unless `--timeout` says otherwise (seconds). */
const DEFAULT_INFO_TIMEOUT = 10

interface PeerLike {
  remotePublicKey: Uint8Array
  remoteContiguousLength: number
  remoteBitfield?: { get(index: number): boolean } | null
}

interface CoreLike {
  length: number
  peers: PeerLike[]
}

interface InfoPart {
  readonly meter: { cores(): CoreLike[] }
  stats(): TransferStats
  ready(): Promise<unknown>
}

/** Whether `peer` has block `index` of a core. */
function peerHas(peer: PeerLike, index: number): boolean {
  if (index < peer.remoteContiguousLength) return true
  try {
    return peer.remoteBitfield?.get(index) === true
  } catch {
    return false
  }
}

/** Blocks of `cores` that at least one of their peers (or, with `only`, that peer) holds. */
function heldByPeers(cores: CoreLike[], only: string | null = null): number {
  let held = 0
  for (const core of cores) {
    const peers = only ? core.peers.filter((p) => toZ32(p.remotePublicKey) === only) : core.peers
    if (peers.length === 0) continue
    if (peers.some((p) => p.remoteContiguousLength >= core.length)) {
      held += core.length
      continue
    }
    for (let i = 0; i < core.length; i++) if (peers.some((p) => peerHas(p, i))) held++
  }
  return held
}

function peersOf(cores: CoreLike[]): Set<string> {
  const keys = new Set<string>()
  for (const core of cores) for (const p of core.peers) keys.add(toZ32(p.remotePublicKey))
  return keys
}

function openPart(sdk: SDK, url: string, kind: string): InfoPart {
  if (kind === 'drive') return sdk.Hyperdrive(url)
  if (kind === 'bee') return sdk.Hyperbee(url)
  if (kind === 'autobase') return sdk.Autobase(url)
  return sdk.Hypercore(url)
}

/**
 * `dat-sdk info <url> [--blind-peer KEY] [--timeout s]`: what a ref is (told apart by its first
 * block, as `sdk.seed()` does), its length and size, how much is here, the peers found and, with
 * `--blind-peer`, whether that blind peer holds all of it. Exit 0 when the peers found within the
 * timeout hold every block between them, 1 otherwise.
 */
export async function info({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('info takes one URL: dat-sdk info <url>')
  const url = positionals[0]
  const ref = parseRef(url) // a malformed URL fails here, before any network
  if (ref === null || 'folder' in ref || 'name' in ref) {
    throw new CliError(`info takes a hyper:// URL or a key, not ${JSON.stringify(url)}`)
  }
  const blindPeers = flags.blindPeers.map((k) => toKey(k))
  const seconds = flags.timeoutGiven ? flags.timeout : DEFAULT_INFO_TIMEOUT
  const deadline = Date.now() + seconds * 1000

  // A look, not a copy: a temporary store unless --storage is given, and nothing downloaded.
  const sdk = await openSDK(flags, { storage: false })
  try {
    for (const key of blindPeers) await sdk.joinPeer(key)
    const notFound = `No peer had ${url} within ${seconds} s (is it being shared, on the same --bootstrap?)`
    const seed = await within(
      sdk.seed(url, { download: false, persist: false, timeout: seconds * 1000 }),
      seconds * 1000,
      notFound,
    )
    await within(seed.ready(), Math.max(1, deadline - Date.now()), notFound)
    const part = openPart(sdk, seed.url, seed.kind)
    await within(part.ready(), Math.max(1, deadline - Date.now()), notFound)

    // Peers keep arriving until the deadline; stop early once they hold all of it.
    const cores = () => part.meter.cores()
    const blocks = () => cores().reduce((n, c) => n + c.length, 0)
    while (Date.now() < deadline) {
      const total = blocks()
      if (total > 0 && heldByPeers(cores()) >= total) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const stats = part.stats()
    const held = heldByPeers(cores())
    const total = blocks()
    const peers = peersOf(cores())
    const kindName = seed.kind === 'autobase' ? 'Autobase' : seed.kind
    io.stdout.write(`${kindName} ${seed.url}\n`)
    io.stdout.write(
      `length: ${total} blocks, ${formatBytes(stats.byteLength)} (${stats.byteLength} bytes)\n`,
    )
    io.stdout.write(`local: ${stats.localBlocks} of ${total} blocks\n`)
    io.stdout.write(`peers: ${peers.size} found, holding ${held} of ${total} blocks\n`)
    for (const key of blindPeers) {
      const z32 = toZ32(key)
      const has = heldByPeers(cores(), z32)
      const state = !peers.has(z32)
        ? 'not connected'
        : has >= total
          ? 'holds all of it'
          : `holds ${has} of ${total} blocks`
      io.stdout.write(`blind peer ${z32}: ${state}\n`)
    }
    return total > 0 && held >= total ? 0 : 1
  } finally {
    await sdk.close()
  }
}
