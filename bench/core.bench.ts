// Appending and replicating 10,000 blocks of 1 KiB (BENCH_CORE_BLOCKS for more; the row's name
// says how many) through `Core`, against the raw hypercore, in the same run: two stores joined by
// in-process replication streams; the clock runs from the first append until the reader holds
// every block. Blocks go in 100 per append() call (one call
// per block measures the storage's per-write latency, not replication: ~4x slower on both paths).
// Many short rounds alternate ours / raw (bench/lib.ts `interleave`), and the row is scored by the
// median of the per-pair ratios (`pairedRow`), its spread printed.
import { Store } from '../packages/store/dist/index.js'
import { Core } from '../packages/core-wrapper/dist/index.js'
import { replicatePair } from '../packages/test-utils/dist/index.js'
import { interleave, pairedRow, report, share, time } from './lib.ts'

const BLOCKS = Number(process.env.BENCH_CORE_BLOCKS || 10_000)
// This process's share of 15 rounds (`bench/run.mjs` runs this file in three processes).
const ROUNDS = share(Number(process.env.BENCH_CORE_ROUNDS || 15))
// A run that has not finished by then fails the benchmark (seen once under heavy load).
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

const pairs = await interleave(
  { rounds: ROUNDS, label: 'core', unit: 'ms' },
  () => run('ours'),
  () => run('raw'),
)
const mbps = (ms: number) => Math.round(((BLOCKS * 1024) / 1e6 / (ms / 1000)) * 10) / 10
const row = pairedRow({
  name: `core: append+replicate ${BLOCKS / 1000}k x 1 KiB vs raw hypercore`,
  pairs,
  unit: 'ms',
  better: 'lower',
  target: 0.95,
})
report('core', [{ ...row, extra: { 'ours MB/s': mbps(row.ours), 'raw MB/s': mbps(row.baseline) } }])
