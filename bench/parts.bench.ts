// Parts per process: one SDK opens and seeds 1,000 small drives (one 64-byte file each), against
// raw Corestore + Hyperdrive + Hyperswarm doing the same, on one loopback testnet. Each side made
// its drives beforehand, its own way (bench/parts-child.mjs `prepare`, not timed); each round
// copies them to fresh storage and opens them in a process of its own (so its RSS is its own):
// ours `sdk.Hyperdrive(name)` + `sdk.seed(drive)` (announced and recorded in the seed records; a
// drive this peer writes has nothing to download) and `sdk.flush()`; raw
// `new Hyperdrive(store.namespace(name))` + `swarm.join(drive.discoveryKey)` and `swarm.flush()`.
// Both open 100 drives at a time. Two rows: the time from the first open until every drive is
// announced (ours >= 0.9 of raw), and the RSS each drive adds, less V8's young generation (empty
// after a GC, its pages resident or not as V8 sees fit: see parts-child.mjs `memory()`), read
// before the first open and 30 s after the flush, each time the least of three readings 2 s
// apart after a GC (ours <= 1.1x raw's); plain RSS is printed beside it. Both sides' processes
// start alike: V8's young generation pinned at its 32 MiB maximum, one malloc arena and fixed
// malloc thresholds (`NODE_ARGS`, `CHILD_ENV`). Rounds alternate ours / raw (`interleave`) and
// each row is scored by the median of its per-pair ratios (`pairedRow`).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createTestnet, makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import { interleave, pairedRow, report, type Pair } from './lib.ts'

const DRIVES = Number(process.env.BENCH_PARTS_DRIVES || 1_000)
// Announcing 1,000 topics on the loopback testnet takes 20-30 s a side (the DHT's pace, the same
// for both), and each side then waits 30 s (and reads for 4 s) before its reading. Five scored
// rounds and no warm-up: about twelve minutes. With three (415 s in three full runs), one pair's
// RSS moved the median: the RSS row read 0.746, 0.822, 0.892 in three full runs, and a side's
// RSS per drive moves 3 to 4 KiB between its own rounds (two left it on one pair's noise).
const ROUNDS = Number(process.env.BENCH_PARTS_ROUNDS || 5)
const WARMUP = Number(process.env.BENCH_PARTS_WARMUP || 0)
const CHILD = path.join(import.meta.dirname, 'parts-child.mjs')
/**
 * Both sides' processes start alike, so that what RSS holds besides the drives stays put between
 * rounds. V8 sizes its young generation (up to 2 x 16 MiB) by the allocation rate just before a
 * GC: left to it, it was 32 MiB at one reading and 8 at the next, 24 KiB a drive either way.
 * glibc gives each thread that allocates (RocksDB's and libuv's) an arena of its own, and keeps
 * what they freed: native memory (RSS less V8's heap) moved by 15 to 30 MiB between rounds of
 * the same side, with two arenas too. With one arena and fixed 128 KiB mmap and trim thresholds
 * (glibc otherwise raises them as large blocks are freed), it read 56 to 61 MiB on both sides,
 * 20 s after the flush, in four rounds.
 */
const NODE_ARGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16']
const CHILD_ENV = {
  ...process.env,
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
}

interface ChildResult {
  ms: number
  /** RSS less V8's young generation's resident pages, per drive (the row; parts-child.mjs `memory()`). */
  rssPerDriveKiB: number
  /** Plain RSS per drive (beside the row, not scored). */
  plainRssPerDriveKiB: number
  /** JS heap in use plus external memory, per drive (beside the row, not scored). */
  heapPerDriveKiB: number
  /** RSS per drive right at the flush (beside the row, not scored). */
  flushRssPerDriveKiB: number
  rssMiB: number
  /** How long after the flush the child read (parts-child.mjs `SETTLE_MS`). */
  settleS: number
}

const testnet = await createTestnet(3)
const bootstrap = JSON.stringify(testnet.bootstrap)

/** One child process; resolves with what it printed. */
function child(side: string, mode: string, dir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [...NODE_ARGS, CHILD, side, mode, dir, String(DRIVES), bootstrap],
      { stdio: ['ignore', 'pipe', 'inherit'], env: CHILD_ENV },
    )
    let out = ''
    proc.stdout.on('data', (d: Buffer) => (out += d))
    proc.on('error', reject)
    proc.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (code !== 0 || !line) return reject(new Error(`${side} ${mode}: exited ${code}`))
      resolve(JSON.parse(line.slice('RESULT '.length)) as ChildResult)
    })
  })
}

const prepared = { ours: makeTmpDir('bench-parts-ours'), raw: makeTmpDir('bench-parts-raw') }
const rss: Record<'ours' | 'raw', number[]> = { ours: [], raw: [] }
const total: Record<'ours' | 'raw', number[]> = { ours: [], raw: [] }
const heap: Record<'ours' | 'raw', number[]> = { ours: [], raw: [] }
const atFlush: Record<'ours' | 'raw', number[]> = { ours: [], raw: [] }
const plain: Record<'ours' | 'raw', number[]> = { ours: [], raw: [] }
let settleS = 0

/** One round of one side: a fresh copy of its drives, opened and announced; gives the ms. */
async function round(side: 'ours' | 'raw'): Promise<number> {
  const dir = makeTmpDir(`bench-parts-${side}-round`)
  try {
    // Without the CORESTORE device file, which pins a store to the inode it was made on (a copy
    // is refused as one); the store writes a new one on open.
    fs.cpSync(prepared[side], dir, {
      recursive: true,
      filter: (src) => path.basename(src) !== 'CORESTORE',
    })
    const r = await child(side, 'open', dir)
    rss[side].push(r.rssPerDriveKiB)
    total[side].push(r.rssMiB)
    heap[side].push(r.heapPerDriveKiB)
    atFlush[side].push(r.flushRssPerDriveKiB)
    plain[side].push(r.plainRssPerDriveKiB)
    settleS = r.settleS
    return r.ms
  } finally {
    await removeDir(dir)
  }
}

try {
  await Promise.all([
    child('ours', 'prepare', prepared.ours),
    child('raw', 'prepare', prepared.raw),
  ])
  const label = `parts: open and announce ${DRIVES} drives`
  const pairs = await interleave(
    { rounds: ROUNDS, warmup: WARMUP, label, unit: 'ms' },
    () => round('ours'),
    () => round('raw'),
  )
  // The warm-up rounds' figures are the first of each list: the scored rounds are the rest.
  const rssPairs: Pair[] = pairs.map((_, i) => ({
    ours: rss.ours[i + WARMUP],
    baseline: rss.raw[i + WARMUP],
  }))
  const memPairs = rssPairs.map((p) => `${round1(p.ours)}/${round1(p.baseline)}`)
  report('parts', [
    pairedRow({
      name: `parts: open + seed ${DRIVES} drives, one process (vs raw corestore+hyperdrive+hyperswarm)`,
      pairs,
      unit: 'ms',
      better: 'lower',
      target: 0.9,
    }),
    pairedRow({
      name: `parts: RSS per drive less V8's young generation, ${DRIVES} drives seeded, read ${settleS} s after the flush, the least of 3 readings 2 s apart (both: young generation pinned, one malloc arena, 128 KiB malloc thresholds; vs raw; ours <= 1.1x raw's)`,
      pairs: rssPairs,
      unit: 'KiB',
      better: 'lower',
      target: 1 / 1.1,
      extra: {
        'per-round KiB per drive (ours/raw)': memPairs.join(' '),
        'RSS after, MiB (ours/raw, medians)': `${median1(total.ours)}/${median1(total.raw)}`,
        'plain RSS KiB per drive, young generation included (ours/raw, per round; not scored)':
          plain.ours
            .slice(WARMUP)
            .map((o, i) => `${round1(o)}/${round1(plain.raw[i + WARMUP])}`)
            .join(' '),
        'heap + external KiB per drive (ours/raw, medians; not scored)': `${median1(heap.ours.slice(WARMUP))}/${median1(heap.raw.slice(WARMUP))}`,
        'RSS KiB per drive right at the flush (ours/raw, medians; not scored)': `${median1(atFlush.ours.slice(WARMUP))}/${median1(atFlush.raw.slice(WARMUP))}`,
      },
    }),
  ])
} finally {
  await Promise.allSettled([removeDir(prepared.ours), removeDir(prepared.raw)])
  await testnet.destroy()
}

function round1(n: number): number {
  return Math.round(n * 10) / 10
}

function median1(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return round1(s[s.length >> 1])
}
