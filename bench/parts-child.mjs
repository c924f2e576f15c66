// One side of bench/parts.bench.ts, in a process of its own so that its RSS is its own.
//   node --expose-gc bench/parts-child.mjs <ours|raw> <prepare|open> <dir> <count> <bootstrap JSON>
// prepare: makes <count> small drives in <dir> (one 64-byte file each), the side's own way, and
//   closes them. Nothing joins the network.
// open: opens every drive in <dir> again and announces it on the loopback testnet, then prints one
//   line `RESULT {"ms":..,"rssPerDriveKiB":..,"plainRssPerDriveKiB":..,"heapPerDriveKiB":..,
//   "flushRssPerDriveKiB":..,"rssMiB":..,"settleS":..}` (heapPerDriveKiB: JS heap in use plus
//   external memory). The clock runs from the first open until every drive is announced (the
//   swarm's flush). RSS less the young generation's resident pages (see `memory()`) is taken
//   before the first open and SETTLE_MS after the flush (what a seeder holds once the opening's
//   work is done, not the work in flight), each time the least of three readings 2 s apart, each
//   after a GC; the difference divided by <count> is the RSS per drive. Plain RSS per drive, and
//   the JS heap in use plus external memory, are taken at the same two points and reported beside
//   it, with the RSS per drive right at the flush, and `settleS`, the wait before the reading.
//   parts.bench.ts starts both sides alike, so that what RSS holds besides the drives does not
//   swing between rounds: V8's young generation pinned at its 32 MiB maximum
//   (--min-semi-space-size=16 --max-semi-space-size=16), one malloc arena (MALLOC_ARENA_MAX=1)
//   and fixed 128 KiB malloc mmap and trim thresholds.
//   ours: one SDK; each drive `sdk.Hyperdrive(name)`, then `sdk.seed(drive)` (which records it in
//   the seed records), then `sdk.flush()`.
//   raw: Corestore + Hyperdrive + Hyperswarm; each drive `new Hyperdrive(store.namespace(name))`,
//   `swarm.join(drive.discoveryKey)`, then `swarm.flush()`.
// Plain JS, so the process starts without a TypeScript loader.
import { createRequire } from 'node:module'
import v8 from 'node:v8'
import { createSDK } from '../packages/sdk/dist/index.js'

// The raw parts, resolved where our packages resolve them (the same module instances).
const requireFrom = (pkg) =>
  createRequire(new URL(`../packages/${pkg}/package.json`, import.meta.url))
const Corestore = requireFrom('store')('corestore')
const Hyperdrive = requireFrom('drive-wrapper')('hyperdrive')
const Hyperswarm = requireFrom('networker')('hyperswarm')
const HyperDHT = requireFrom('networker')('hyperdht')

const [side, mode, dir, countText, bootstrapJson] = process.argv.slice(2)
const count = Number(countText)
const bootstrap = JSON.parse(bootstrapJson)
const name = (i) => `part-${i}`
/** The drives are opened this many at a time, on both sides. */
const WIDTH = 100

async function each(fn) {
  for (let i = 0; i < count; i += WIDTH) {
    const batch = []
    for (let j = i; j < Math.min(count, i + WIDTH); j++) batch.push(fn(j))
    await Promise.all(batch)
  }
}

/**
 * How long after the flush both sides wait before reading (ms). Right at the flush, either side
 * may still hold the opening's work in flight (20 to 30 MiB in some rounds); ours also looks up
 * the first 64 topics again 15 s after their flush (the networker's early refreshes), and with
 * a reading 20 s after the flush, some rounds caught that work still held and others did not
 * (36 to 58 KiB a drive). 30 s on, every round measured had settled, on both sides.
 */
const SETTLE_MS = Number(process.env.BENCH_PARTS_SETTLE_MS ?? 30_000)
/**
 * A reading is the least of this many, this far apart (ms): V8 commits and gives back whole
 * 16 MiB semi-spaces as it sees fit, and one reading in a round could catch one (6 MiB more).
 */
const READINGS = 3
const READING_GAP_MS = 2_000
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const file = (i) => Buffer.from(`part ${i} `.padEnd(64, '.'))

/**
 * After a GC: RSS less the young generation's resident pages (`rss`), plain RSS, and the JS heap in
 * use plus external memory. The young generation holds nothing once a GC has run, and V8 touches
 * and gives back its pages on a schedule of its own: in six rounds (three a side), 25.6 to 32 MiB
 * of it were resident before the first open and 0.5 MiB 30 s after the flush, so plain RSS per
 * drive moved by up to 6 KiB with it (raw read 18 to 30 KiB a drive, ours 22 to 36).
 */
function memory() {
  globalThis.gc?.()
  globalThis.gc?.()
  const m = process.memoryUsage()
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  const resident = young ? young.physical_space_size : 0
  return { rss: m.rss - resident, plainRss: m.rss, heap: m.heapUsed + m.external }
}

/** The least of READINGS readings (RSS and heap each), READING_GAP_MS apart. */
async function leastOf() {
  const readings = [memory()]
  while (readings.length < READINGS) {
    await sleep(READING_GAP_MS)
    readings.push(memory())
  }
  return {
    rss: Math.min(...readings.map((r) => r.rss)),
    plainRss: Math.min(...readings.map((r) => r.plainRss)),
    heap: Math.min(...readings.map((r) => r.heap)),
  }
}

/** What a side holds once the flush's work is done: SETTLE_MS after it, the least of three. */
async function settled() {
  await sleep(SETTLE_MS)
  return leastOf()
}

/** The result line's figures: RSS per drive (the row), and heap + external per drive beside it. */
function figures(ms, before, flushed, after) {
  return {
    ms,
    rssPerDriveKiB: (after.rss - before.rss) / 1024 / count,
    plainRssPerDriveKiB: (after.plainRss - before.plainRss) / 1024 / count,
    heapPerDriveKiB: (after.heap - before.heap) / 1024 / count,
    flushRssPerDriveKiB: (flushed.rss - before.rss) / 1024 / count,
    rssMiB: after.plainRss / 2 ** 20,
    settleS: SETTLE_MS / 1000,
  }
}

if (mode === 'prepare') {
  if (side === 'ours') {
    const sdk = await createSDK({ storage: dir, bootstrap, autoJoin: false })
    await each(async (i) => {
      const drive = sdk.Hyperdrive(name(i))
      await drive.ready()
      await drive.put('/hello.txt', file(i))
    })
    await sdk.close()
  } else {
    const store = new Corestore(dir)
    await each(async (i) => {
      const drive = new Hyperdrive(store.namespace(name(i)))
      await drive.ready()
      await drive.put('/hello.txt', file(i))
      await drive.close()
    })
    await store.close()
  }
  console.log('RESULT {}')
  process.exit(0)
}

let result
if (side === 'ours') {
  const sdk = await createSDK({ storage: dir, bootstrap })
  await sdk.ready()
  const before = await leastOf()
  const start = performance.now()
  await each(async (i) => {
    const drive = sdk.Hyperdrive(name(i))
    await sdk.seed(drive)
  })
  await sdk.flush()
  const ms = performance.now() - start
  if (sdk.seeds().length !== count) throw new Error(`ours: ${sdk.seeds().length} seeds`)
  const flushed = memory()
  result = figures(ms, before, flushed, await settled())
  await sdk.close()
} else {
  const store = new Corestore(dir)
  const swarm = new Hyperswarm({
    dht: new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false }),
  })
  swarm.on('connection', (conn) => store.replicate(conn))
  await store.ready()
  const drives = []
  const before = await leastOf()
  const start = performance.now()
  await each(async (i) => {
    const drive = new Hyperdrive(store.namespace(name(i)))
    await drive.ready()
    swarm.join(drive.discoveryKey)
    drives.push(drive)
  })
  await swarm.flush()
  const ms = performance.now() - start
  if (drives.length !== count) throw new Error(`raw: ${drives.length} drives`)
  const flushed = memory()
  result = figures(ms, before, flushed, await settled())
  await swarm.destroy()
  await store.close()
}
console.log(`RESULT ${JSON.stringify(result)}`)
process.exit(0)
