import path from 'node:path'
import { defaultStorageDir } from '@dat-sdk/store'
import { DatSdkError, parseRef, toURL, toZ32, type SDK } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, unlessStopped, untilStopped, type IO } from '../io.js'
import {
  askSeeder,
  controlSocketPath,
  ControlServer,
  type ControlReply,
  type SeedEntry,
} from '../seed-control.js'
import { formatRow, StatusTable } from '../seed-table.js'
import { serveMetrics, type MetricsServer } from '../metrics.js'
import { blindPeerKeys, envEncryptionKey, openSDK } from './common.js'

type Seed = ReturnType<SDK['seeds']>[number]

/** How often the status table looks at the seeds (ms): a seed's own status changes at most every 250 ms. */
const REFRESH = 500

/**
 * `dat-sdk seed [ref...]`: seeds each ref and everything seeded before on this storage, shows
 * their status, and runs until Ctrl-C. `--list` and `--remove <ref>` ask the seeder running on the
 * storage (through its control socket), or, when none runs, edit the storage's records themselves.
 */
export async function seed(parsed: Parsed, io: IO): Promise<number> {
  const { positionals, flags } = parsed
  if (flags.list || flags.remove !== undefined) {
    if (positionals.length) throw new UsageError('seed --list and --remove take no other ref')
    if (flags.list && flags.remove !== undefined)
      throw new UsageError('seed takes --list or --remove, not both')
    return edit(parsed, io)
  }
  // Checked before anything opens: a malformed ref or key fails at once.
  for (const ref of positionals) {
    const r = safeParse(ref)
    if (!r || !('key' in r || 'domain' in r))
      throw new CliError(`Expected a hyper:// URL or a key, not ${JSON.stringify(ref)}`)
  }
  blindPeerKeys(flags.blindPeers)
  const encryptionKey = positionals.length ? envEncryptionKey() : null

  const storage = storageDir(flags.storage)
  const sdk = await openSDK(flags)
  let control: ControlServer | null = null
  let metrics: MetricsServer | null = null
  let timer: ReturnType<typeof setInterval> | null = null
  try {
    const table = new StatusTable(io.stdout)
    const announced = new Set<string>()
    const refresh = () => {
      const running = sdk.seeds()
      for (const s of running) {
        if (announced.has(s.url)) continue
        announced.add(s.url)
        io.stderr.write(`seeding ${s.url} (${s.kind})\n`)
      }
      table.update(running.map(entryOf))
    }
    sdk.on('seed-error', (err: unknown, key: Uint8Array) => {
      io.stderr.write(`dat-sdk: ${toURL(key)} could not be seeded again: ${oneLine(err)}\n`)
    })

    control = new ControlServer(controlSocketPath(storage), {
      list: () => listEntries(sdk),
      remove: async (ref) => {
        const r = safeParse(ref)
        if (!r || !('key' in r || 'domain' in r))
          throw new DatSdkError('INVALID_KEY', 'remove takes a hyper:// URL or a key')
        const url = urlOf(ref)
        const removed = await sdk.unseed(ref)
        if (removed) {
          announced.delete(url)
          io.stderr.write(`stopped seeding ${url}\n`)
          refresh()
        }
        return { removed, url }
      },
    })
    await control.listen()
    if (flags.metrics) {
      metrics = await serveMetrics(sdk, flags.metrics)
      io.stdout.write(`metrics: ${metrics.url}\n`)
    }

    const ms = flags.timeout * 1000
    const failures: string[] = []
    for (const ref of positionals) io.stderr.write(`Looking for ${ref}...\n`)
    const adding = positionals.map(async (ref) => {
      try {
        await sdk.seed(ref, { timeout: ms, ...(encryptionKey ? { encryptionKey } : {}) })
      } catch (err) {
        failures.push(ref)
        io.stderr.write(`dat-sdk: could not seed ${ref}: ${oneLine(err)}\n`)
      }
      refresh()
    })
    refresh()
    timer = setInterval(refresh, REFRESH)
    await unlessStopped(Promise.all(adding), io.signal)
    const records = await sdk.seedRecords()
    io.stderr.write(
      `Seeding ${records.length} ${records.length === 1 ? 'part' : 'parts'} from ${storage}` +
        (sdk.seedingKey ? ` (blind peers see it as ${toZ32(sdk.seedingKey)}: --trusted)` : '') +
        '. dat-sdk seed --list / --remove <ref> edit it while it runs. Ctrl-C to stop.\n',
    )
    await untilStopped(io.signal)
    return 0
  } finally {
    if (timer) clearInterval(timer)
    await control?.close()
    await metrics?.close()
    await sdk.close()
  }
}

/** `seed --list` and `seed --remove <ref>`: through the running seeder, or on the storage itself. */
async function edit({ flags }: Parsed, io: IO): Promise<number> {
  const storage = storageDir(flags.storage)
  if (flags.remove !== undefined) urlOf(flags.remove) // a malformed ref fails here
  const req = flags.list
    ? ({ op: 'list' } as const)
    : ({ op: 'remove', ref: flags.remove! } as const)
  let reply: ControlReply | null = await unlessStopped(askSeeder(storage, req), io.signal)
  if (reply === null) {
    // No seeder runs on it: open the storage and edit its records.
    const sdk = await openSDK(flags)
    try {
      if (req.op === 'list') reply = { ok: true, seeds: await listEntries(sdk) }
      else reply = { ok: true, removed: await sdk.unseed(req.ref), url: urlOf(req.ref) }
    } finally {
      await sdk.close()
    }
  }
  if (!reply.ok) throw new CliError(`The seeder said: ${reply.error} (${reply.code})`)
  if ('seeds' in reply) {
    for (const entry of reply.seeds) io.stdout.write(`${entry.url} ${entry.kind}\n`)
    if (reply.seeds.length === 0) io.stderr.write(`Nothing is seeded on ${storage}.\n`)
    else for (const entry of reply.seeds) io.stderr.write(`${formatRow(entry)}\n`)
    return 0
  }
  if (!reply.removed) throw new CliError(`${reply.url} is not seeded on ${storage}`)
  io.stderr.write(`Removed ${reply.url}: it is no longer seeded from ${storage}.\n`)
  return 0
}

/** What `--list` reports: the seeds running now, then the records not running. */
async function listEntries(sdk: SDK): Promise<SeedEntry[]> {
  const running = sdk.seeds()
  const out = running.map(entryOf)
  const seen = new Set(out.map((e) => e.url))
  for (const record of await sdk.seedRecords()) {
    const url = toURL(record.key)
    if (seen.has(url)) continue
    out.push({ url, kind: record.kind, running: false })
  }
  return out
}

function entryOf(s: Seed): SeedEntry {
  const st = s.status()
  return {
    url: s.url,
    kind: s.kind,
    running: s.opened,
    ...(s.opened
      ? {
          blocks: st.blocks,
          localBlocks: st.localBlocks,
          peers: st.peers,
          backedUp: st.backedUp,
          blindPeers: st.blindPeers.map((bp) => ({
            key: toZ32(bp.key),
            connected: bp.connected,
            blocks: bp.blocks,
            backedUp: bp.backedUp,
          })),
        }
      : {}),
  }
}

/** The storage directory the SDK opens for `--storage` (as createSDK resolves it). */
function storageDir(flag: string | undefined): string {
  return path.resolve(flag ?? process.env.DAT_SDK_STORAGE ?? defaultStorageDir())
}

function safeParse(ref: string): ReturnType<typeof parseRef> | null {
  try {
    return parseRef(ref)
  } catch {
    return null
  }
}

/** The canonical URL of a key ref, or the ref as given (a domain). */
function urlOf(ref: string): string {
  const r = safeParse(ref)
  if (r && 'key' in r) return toURL(r.key)
  if (r && 'domain' in r) return ref
  throw new CliError(`Expected a hyper:// URL or a key, not ${JSON.stringify(ref)}`)
}

function oneLine(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(err)
  return typeof e?.code === 'string' ? `${message} (${e.code})` : message
}
