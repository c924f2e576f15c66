// Appending and replicating 50,000 blocks of 1 KiB through `Core`, against the raw hypercore, in
// the same run: two stores joined by in-process replication streams; the clock runs from the
// first append until the reader holds every block. Blocks go in 100 per append() call (one call
// per block measures the storage's per-write latency, not replication: ~4x slower on both paths).
// Rounds alternate ours / raw; a small warm-up of each path runs first. Each side is scored by
// its best round (other work on a shared machine only ever adds time), medians printed beside.
import { Store } from '../packages/store/dist/index.js'
import { Core } from '../packages/core-wrapper/dist/index.js'
import { replicatePair } from '../packages/test-utils/dist/index.js'
import { percentile, report, time } from './lib.ts'

const BLOCKS = Number(process.env.BENCH_CORE_BLOCKS || 50_000)
const ROUNDS = Number(process.env.BENCH_CORE_ROUNDS || 4)
// A run that has not finished by then is reported and left out (seen once under heavy load).
const STALL_MS = Number(process.env.BENCH_CORE_STALL_MS || 90_000)
const BATCH = Number(process.env.BENCH_CORE_BATCH || 100)
const BLOCK = new Uint8Array(1024).fill(0x61)
const BATCH_BLOCKS = new Array<Uint8Array>(BATCH).fill(BLOCK)

/** What both sides of one run need: the same calls on a Core and on a raw hypercore. */
interface Side {
  key: Uint8Array | null
  ready(): Promise<void>
  append(blocks: Uint8Array[]): Promise<unknown>
  download(range: { start: number; end: number }): { done(): Promise<void>; destroy(): void }
  readonly contiguousLength: number
  close(): Promise<void>
}

async function run(kind: 'ours' | 'raw', blocks = BLOCKS): Promise<number> {
  const storeA = Store.temp()
  const storeB = Store.temp()
  const open = (store: Store, ref: Parameters<Store['get']>[0]): Side =>
    kind === 'ours' ? Core.from(store, ref) : store.get(ref)
  let streams: ReturnType<typeof replicatePair> | null = null
  let download: ReturnType<Side['download']> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const writer = open(storeA, { name: 'bench' })
    await writer.ready()
    const reader = open(storeB, writer.key)
    await reader.ready()
    streams = replicatePair(storeA, storeB)
    const wanted = reader.download({ start: 0, end: blocks })
    download = wanted
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${kind}: no full copy within ${STALL_MS} ms`)),
        STALL_MS,
      )
    })
    const { ms } = await time(async () => {
      for (let i = 0; i < blocks; i += BATCH) await writer.append(BATCH_BLOCKS)
      await Promise.race([wanted.done(), stalled])
    })
    if (reader.contiguousLength < blocks) throw new Error(`${kind}: the reader is missing blocks`)
    await reader.close()
    await writer.close()
    return ms
  } finally {
    clearTimeout(timer)
    download?.destroy()
    await streams?.close()
    await storeA.close()
    await storeB.close()
  }
}

const ours: number[] = []
const raw: number[] = []
const stalls = { ours: 0, raw: 0 }
for (const kind of ['raw', 'ours'] as const) {
  const ms = await run(kind, 5_000) // warm-up (5k blocks), not counted
  console.log(`warm-up ${kind}: ${Math.round(ms)} ms`)
}
for (let round = 0; round < ROUNDS; round++) {
  const order: Array<'ours' | 'raw'> = round % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours']
  for (const kind of order) {
    try {
      const ms = await run(kind)
      ;(kind === 'ours' ? ours : raw).push(ms)
      console.log(`round ${round + 1} ${kind}: ${Math.round(ms)} ms`)
    } catch (err) {
      stalls[kind]++
      console.log(`round ${round + 1} ${kind}: ${(err as Error).message}`)
    }
  }
}
if (ours.length === 0 || raw.length === 0) throw new Error('every run of one side stalled')
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  )
const best = (xs: number[]) => Math.min(...xs)
const mbps = (ms: number) => Math.round(((BLOCKS * 1024) / 1e6 / (ms / 1000)) * 10) / 10
report('core', [
  {
    name: `core: append+replicate ${BLOCKS / 1000}k x 1 KiB (best of ${ROUNDS})`,
    ours: best(ours),
    baseline: best(raw),
    unit: 'ms',
    better: 'lower',
    target: 0.95,
    extra: {
      'ours MB/s': mbps(best(ours)),
      'raw MB/s': mbps(best(raw)),
      'median ours ms': Math.round(median(ours)),
      'median raw ms': Math.round(median(raw)),
      ...(stalls.ours + stalls.raw > 0
        ? { 'stalled ours/raw': `${stalls.ours}/${stalls.raw}` }
        : {}),
    },
  },
])
