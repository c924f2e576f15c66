// The SDK against wiring the same parts by hand, in the same run, on a loopback testnet:
// 1. Throughput: a fresh peer opens a core of 20,000 blocks of 1 KiB by its URL and downloads all
//    of it. Ours: `createSDK()` + `Hypercore(url)` + `download()`. Raw: a Corestore, a Hyperswarm
//    whose connections go into `corestore.replicate()`, `join()` + `flush()` + `download()`. The
//    clock runs from the reader's open until it holds every block.
// 2. Time to first block: a fresh peer (storage, swarm and all) opens a one-block core by its URL
//    and reads block 0. Ours: `createSDK()` + `Hypercore(url)` + `get(0)`. Raw: Corestore +
//    Hyperswarm + `findingPeers()` around `join()` / `flush()` + `get(0)`.
// 3. The cost of counting: row 1's download by the SDK while `sdk.stats()` is read and a
//    `/metrics` endpoint (the CLI's `serveMetrics`, prom-client + hypercore-stats) is scraped every
//    second, against the same download unwatched, in MiB per CPU-second of this process (see
//    `countingRound`). The counting itself (each part's Meter) always runs; this measures reading
//    it and serving it.
// Rounds alternate ours / raw (bench/lib.ts `interleave`), each row scored by the median of its
// per-pair ratios. The writer is set up once, outside the clock.
import http from 'node:http'
import type { Duplex } from 'node:stream'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import { createSDK } from '../packages/sdk/dist/index.js'
import { serveMetrics, type MetricsServer } from '../packages/cli/dist/index.js'
import { createTestnet, makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import { interleave, median, pairedRow, report, time } from './lib.ts'

const BLOCKS = Number(process.env.BENCH_SDK_BLOCKS || 20_000)
const ROUNDS = Number(process.env.BENCH_SDK_ROUNDS || 11)
const COUNTING_ROUNDS = Number(process.env.BENCH_SDK_COUNTING_ROUNDS || 15)
const LATENCY_ROUNDS = Number(process.env.BENCH_SDK_LATENCY_ROUNDS || 201)
const BLOCK = new Uint8Array(1024).fill(0x73)

const testnet = await createTestnet(3)
const bootstrap = testnet.bootstrap
const dirs: string[] = []
function tmp(label: string): string {
  const dir = makeTmpDir(label)
  dirs.push(dir)
  return dir
}

// The writer: one SDK holding both cores, announced before any clock starts.
const writer = await createSDK({ storage: tmp('bench-sdk-writer'), bootstrap })
const big = writer.Hypercore('big')
for (let i = 0; i < BLOCKS; i += 1000) {
  await big.append(new Array<Uint8Array>(Math.min(1000, BLOCKS - i)).fill(BLOCK))
}
const small = writer.Hypercore('small')
await small.append(BLOCK)
await writer.flush()

interface Reader {
  /** Opens the core by key and resolves once `done(core)` does. */
  run(key: Uint8Array, done: (core: RawCore) => Promise<unknown>): Promise<void>
}

interface RawCore {
  get(index: number): Promise<unknown>
  download(range: { start: number; end: number }): { done(): Promise<void> }
}

const ours: Reader = {
  async run(key, done) {
    const sdk = await createSDK({ storage: tmp('bench-sdk-ours'), bootstrap })
    try {
      const core = sdk.Hypercore(key)
      await core.ready()
      await done(core)
    } finally {
      await sdk.close()
    }
  },
}

const raw: Reader = {
  async run(key, done) {
    const store = new Corestore(tmp('bench-sdk-raw'))
    const swarm = new Hyperswarm({ dht: testnet.createNode() })
    swarm.on('connection', (conn: Duplex) => store.replicate(conn))
    try {
      const core = store.get({ key })
      await core.ready()
      const found = core.findingPeers()
      swarm.join(core.discoveryKey!, { server: false, client: true })
      swarm.flush().then(found, found)
      await done(core)
    } finally {
      await swarm.destroy()
      await store.close()
    }
  },
}

// --- 1. throughput ---

const mibps = async (reader: Reader) => {
  const { ms } = await time(() =>
    reader.run(big.key!, (core) => core.download({ start: 0, end: BLOCKS }).done()),
  )
  return (BLOCKS * 1024) / 1024 / 1024 / (ms / 1000)
}
const throughput = await interleave(
  { rounds: ROUNDS, label: 'download', unit: 'MiB/s' },
  () => mibps(ours),
  () => mibps(raw),
)

// --- 3. the cost of counting ---

/**
 * One scrape of `/metrics` with node:http, as Prometheus would make it from its own process. The
 * client is kept this light on purpose: `fetch()` (undici) spent 10-40 CPU-ms per scrape here,
 * against 1-2 for the endpoint itself, and both run in this process's CPU time.
 */
function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () =>
          res.statusCode === 200 && body.includes('dat_sdk_downloaded_bytes')
            ? resolve(body)
            : reject(new Error(`/metrics answered ${res.statusCode}`)),
        )
      })
      .on('error', reject)
  })
}

let scrapes = 0
const wall = { watched: [] as number[], unwatched: [] as number[] }

/**
 * Row 1's SDK reader, watched or not: a fresh SDK opens the big core by its URL and downloads all
 * of it. Watched, it also serves `/metrics` and, every second, reads `sdk.stats()` and scrapes
 * the endpoint. The figure is MiB per CPU-second of this process (every thread: RocksDB's
 * included; the writer and the testnet run here too, the same for both sides), measured from just
 * before the metrics endpoint starts (watched) or the core opens (unwatched) until the download
 * is done. What counting costs is work, and CPU time leaves out the waits a shared machine adds to
 * either side: wall-clock pairs spread 0.8-1.2 here, so a handful could not tell 2% apart. The
 * SDK's own start and close stay outside the window on both sides (RocksDB's open, flush and
 * compactions, the same work whether watched or not, and most of the noise). The wall-clock
 * ratio is printed beside the score.
 */
async function countingRound(watch: boolean): Promise<number> {
  const sdk = await createSDK({ storage: tmp('bench-sdk-counting'), bootstrap })
  const scraped: Array<Promise<string>> = []
  let timer: ReturnType<typeof setInterval> | undefined
  let metrics: MetricsServer | undefined
  try {
    const cpu = process.cpuUsage()
    const { ms } = await time(async () => {
      if (watch) {
        const served = await serveMetrics(sdk, { host: '127.0.0.1', port: 0 })
        metrics = served
        timer = setInterval(() => {
          sdk.stats()
          scraped.push(scrape(served.url))
        }, 1000)
      }
      const core = sdk.Hypercore(big.key!)
      await core.download({ start: 0, end: BLOCKS }).done()
    })
    const used = process.cpuUsage(cpu)
    const mib = (BLOCKS * 1024) / 1024 / 1024
    ;(watch ? wall.watched : wall.unwatched).push(mib / (ms / 1000))
    return mib / ((used.user + used.system) / 1e6)
  } finally {
    clearInterval(timer)
    // A scrape that failed fails the bench: the row must not pass by scraping nothing.
    scrapes += (await Promise.all(scraped)).length
    await metrics?.close()
    await sdk.close()
  }
}
const counting = await interleave(
  { rounds: COUNTING_ROUNDS, label: 'download, watched', unit: 'MiB per CPU-second' },
  () => countingRound(true),
  () => countingRound(false),
)
// Each side's first figure is the warm-up round's.
const wallRatios = wall.watched.slice(1).map((w, i) => w / wall.unwatched[i + 1])

// --- 2. time to first block ---

const firstBlock = async (reader: Reader) =>
  (await time(() => reader.run(small.key!, (core) => core.get(0)))).ms
const latency = await interleave(
  { rounds: LATENCY_ROUNDS, label: 'first block', unit: 'ms' },
  () => firstBlock(ours),
  () => firstBlock(raw),
)

await writer.close()
await testnet.destroy()
for (const dir of dirs) await removeDir(dir)

report('sdk', [
  pairedRow({
    name: `sdk: open by URL and download ${BLOCKS / 1000}k x 1 KiB, vs raw corestore + hyperswarm`,
    pairs: throughput,
    unit: 'MiB/s',
    better: 'higher',
    target: 0.9,
  }),
  pairedRow({
    name: `sdk: download ${BLOCKS / 1000}k x 1 KiB with stats and /metrics scraped every second, vs unwatched (work: MiB per CPU-second)`,
    pairs: counting,
    unit: 'MiB per CPU-second',
    better: 'higher',
    target: 0.98,
    extra: {
      'wall-clock ratios (watched vs unwatched MiB/s)': wallRatios
        .map((r) => r.toFixed(2))
        .join(' '),
      'wall-clock ratio, median': Math.round(median(wallRatios) * 1000) / 1000,
      'scrapes (all rounds)': scrapes,
    },
  }),
  pairedRow({
    name: 'sdk: fresh peer, URL to first block, vs raw corestore + hyperswarm',
    pairs: latency,
    unit: 'ms',
    better: 'lower',
    target: 0.8,
  }),
])
