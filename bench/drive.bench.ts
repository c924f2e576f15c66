// Sharing a folder of 1,000 files (10 MiB in all) to a second peer over a loopback testnet,
// folder to folder: `Drive.syncFolder()` on both sides against raw hyperdrive + localdrive +
// mirror-drive doing the same, in the same run. The two swarms connect before the clock starts
// (on a topic of their own, replicating their whole stores), so the figure is the sync itself:
// the clock runs from the first file read on the writer until the reader's folder is complete.
// The raw side runs with the options ours uses: `batch: true` into its drive (one signed append
// for the whole pass) and `atomic: true` out of it (localdrive writes each file under a temporary
// name and renames it, so no partial file is ever seen under its name: ours always does). A second
// row runs it with mirror-drive's and localdrive's defaults (batch off, one signed append per file;
// files written in place), which is what a user wiring the parts by hand gets.
// Rounds alternate ours / raw (bench/lib.ts `interleave`) and each row is scored by the median of
// its per-pair ratios (`pairedRow`): on these shared 2-core machines a round's wall time mostly
// measures the other processes, and a pair run back to back shares most of that.
import crypto from 'node:crypto'
import type { Duplex } from 'node:stream'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Store } from '../packages/store/dist/index.js'
import { Drive } from '../packages/drive-wrapper/dist/index.js'
import {
  createTestnet,
  makeTmpDir,
  removeDir,
  type LoopbackTestnet,
} from '../packages/test-utils/dist/index.js'
import { benchFiles, interleave, pairedRow, report, time } from './lib.ts'

// The raw parts, resolved where drive-wrapper resolves them (typed by its declarations).
const require = createRequire(new URL('../packages/drive-wrapper/package.json', import.meta.url))
const Hyperdrive = require('hyperdrive') as typeof import('hyperdrive').default
const Localdrive = require('localdrive') as typeof import('localdrive').default

const FILES = Number(process.env.BENCH_DRIVE_FILES || 1_000)
const TOTAL = Number(process.env.BENCH_DRIVE_BYTES || 10 * 1024 * 1024)
const ROUNDS = Number(process.env.BENCH_DRIVE_ROUNDS || 21)
// Seventeen pairs for the mirror-drive-defaults row: with nine (a per-pair spread of 6%), three
// full runs strayed 5.0% from their median.
const DEFAULTS_ROUNDS = Number(process.env.BENCH_DRIVE_DEFAULTS_ROUNDS || 17)

/** 1,000 files of 2..18 KiB (10 MiB in all) in 10 folders, with random bytes. */
function makeFolder(dir: string): number {
  let bytes = 0
  for (const f of benchFiles(FILES, TOTAL)) {
    const file = path.join(dir, f.path)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, f.bytes())
    bytes += f.size
  }
  return bytes
}

function sameFolders(a: string, b: string): boolean {
  const walk = (root: string, rel = ''): string[] =>
    fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((d) => {
      const child = rel ? `${rel}/${d.name}` : d.name
      if (child === '.dat') return []
      return d.isDirectory() ? walk(root, child) : [child]
    })
  const files = walk(a).sort()
  if (files.join() !== walk(b).sort().join()) return false
  return files.every((f) =>
    fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))),
  )
}

/** Two stores whose swarms are connected (and replicating everything) before the clock starts. */
async function connectedStores(
  testnet: LoopbackTestnet,
): Promise<{ a: Store; b: Store; close(): Promise<void> }> {
  const a = Store.temp()
  const b = Store.temp()
  await Promise.all([a.ready(), b.ready()])
  const swarmA = testnet.swarm()
  const swarmB = testnet.swarm()
  swarmA.on('connection', (conn: Duplex) => a.replicate(conn))
  swarmB.on('connection', (conn: Duplex) => b.replicate(conn))
  const topic = crypto.randomBytes(32)
  await swarmA.join(topic, { server: true, client: false }).flushed()
  swarmB.join(topic, { server: false, client: true })
  await swarmB.flush()
  while (swarmA.connections.size === 0 || swarmB.connections.size === 0) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return {
    a,
    b,
    async close() {
      await Promise.allSettled([swarmA.destroy(), swarmB.destroy()])
      await Promise.allSettled([a.close(), b.close()])
    },
  }
}

async function ours(src: string, dst: string, a: Store, b: Store): Promise<void> {
  const writer = new Drive(a)
  await writer.ready()
  await writer.syncFolder(src, { live: false }).ready()
  const reader = new Drive(b, writer.key)
  await reader.ready()
  await reader.update({ wait: true })
  await reader.syncFolder(dst, { live: false }).ready()
  await reader.close()
  await writer.close()
}

async function raw(
  src: string,
  dst: string,
  a: Store,
  b: Store,
  opts: { sameOptions: boolean },
): Promise<void> {
  const writer = new Hyperdrive(a.corestore.namespace(crypto.randomBytes(32)))
  await writer.ready()
  await new Localdrive(src).mirror(writer, { batch: opts.sameOptions }).done()
  const reader = new Hyperdrive(b.corestore.session(), writer.key)
  await reader.ready()
  await reader.update({ wait: true })
  await reader.mirror(new Localdrive(dst, { atomic: opts.sameOptions })).done()
  await reader.close()
  await writer.close()
}

const testnet = await createTestnet(3)
const src = makeTmpDir('bench-drive-src')
const scratch: string[] = [src]
try {
  const bytes = makeFolder(src)
  type Kind = 'ours' | 'raw' | 'raw-defaults'
  const run = async (kind: Kind): Promise<number> => {
    const dst = makeTmpDir('bench-drive-dst')
    scratch.push(dst)
    const stores = await connectedStores(testnet)
    try {
      const { ms } = await time(() =>
        kind === 'ours'
          ? ours(src, dst, stores.a, stores.b)
          : raw(src, dst, stores.a, stores.b, { sameOptions: kind === 'raw' }),
      )
      if (!sameFolders(src, dst))
        throw new Error(`${kind}: the reader's folder differs from the writer's`)
      return ms
    } finally {
      await stores.close()
      await removeDir(dst)
      fs.rmSync(path.join(src, '.dat'), { force: true }) // each round shares a fresh drive
    }
  }

  const label = `${FILES} files / ${(bytes / 1048576).toFixed(0)} MiB over a loopback testnet`
  const mbps = (ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10
  const row = (name: string, pairs: Awaited<ReturnType<typeof interleave>>) => {
    const r = pairedRow({ name, pairs, unit: 'ms', better: 'lower', target: 0.9 })
    return { ...r, extra: { 'ours MB/s': mbps(r.ours), 'raw MB/s': mbps(r.baseline) } }
  }
  const same = await interleave(
    { rounds: ROUNDS, label: 'drive vs raw (batch, atomic)', unit: 'ms' },
    () => run('ours'),
    () => run('raw'),
  )
  const defaults = await interleave(
    { rounds: DEFAULTS_ROUNDS, warmup: 0, label: 'drive vs raw (defaults)', unit: 'ms' },
    () => run('ours'),
    () => run('raw-defaults'),
  )
  report('drive', [
    row(`drive: folder -> folder, ${label}, vs raw with the same options (batch, atomic)`, same),
    row(`drive: folder -> folder, ${label}, vs raw with mirror-drive defaults`, defaults),
  ])
} finally {
  for (const dir of scratch) await removeDir(dir)
  await testnet.destroy()
}
