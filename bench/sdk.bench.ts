// The SDK against wiring the same parts by hand, in the same run, on a loopback testnet:
// 1. Throughput: a fresh peer opens a core of 20,000 blocks of 1 KiB by its URL and downloads all
//    of it. Ours: `createSDK()` + `Hypercore(url)` + `download()`. Raw: a Corestore, a Hyperswarm
//    whose connections go into `corestore.replicate()`, `join()` + `flush()` + `download()`. Each
//    round opens one fresh reader of each kind (timed apart, until it sees the length), then the
//    two take turns downloading 1,000 blocks at a time (bench/lib.ts `chunkTurns`), so both meet
//    the same machine; each side's clock sums its turns. Row 2 times the open.
// 2. Time to first block: a fresh peer (storage, swarm and all) opens a one-block core by its URL
//    and reads block 0. Ours: `createSDK()` + `Hypercore(url)` + `get(0)`. Raw: Corestore +
//    Hyperswarm + `findingPeers()` around `join()` / `flush()` + `get(0)`.
// 3. The cost of counting: row 1's download by the SDK while `sdk.stats()` is read and a
//    `/metrics` endpoint (the CLI's `serveMetrics`, prom-client + hypercore-stats) is scraped every
//    second, against the same download unwatched, in MiB per CPU-second of this process (see
//    `countingRound`). The counting itself (each part's Meter) always runs; this measures reading
//    it and serving it.
// Rounds alternate ours / raw (bench/lib.ts `interleave`, `turnRounds`), each row scored by the
// median of its per-pair ratios. The writer is set up once, outside the clock.
import http from 'node:http'
import type { Duplex } from 'node:stream'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import { createSDK } from '../packages/sdk/dist/index.js'
import { serveMetrics, type MetricsServer } from '../packages/cli/dist/index.js'
import { createTestnet, makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import {
  chunkTurns,
  interleave,
  median,
  pairedRow,
  rangeFetcher,
  report,
  sidesFrom,
  time,
  turnRounds,
  type Pair,
  type RangeReader,
} from './lib.ts'

const BLOCKS = Number(process.env.BENCH_SDK_BLOCKS || 20_000)
const ROUNDS = Number(process.env.BENCH_SDK_ROUNDS || 11)
const COUNTING_ROUNDS = Number(process.env.BENCH_SDK_COUNTING_ROUNDS || 15)
// The download takes turns every TURN_BLOCKS blocks (~150 ms a turn here; see `chunkTurns`).
const TURN_BLOCKS = Number(process.env.BENCH_SDK_TURN_BLOCKS || 1000)
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

interface RawCore extends RangeReader {
  get(index: number): Promise<unknown>
  update(opts: { wait: boolean }): Promise<boolean>
}

interface Reader {
  /** A fresh peer (storage, swarm and all) with the core of `key` open; `close` ends the peer. */
  open(key: Uint8Array): Promise<{ core: RawCore; close(): Promise<void> }>
}

/** Opens the core by key on a fresh `reader`, resolves once `done(core)` does, then closes it. */
async function run(reader: Reader, key: Uint8Array, done: (core: RawCore) => Promise<unknown>) {
  const { core, close } = await reader.open(key)
  try {
    await done(core)
  } finally {
    await close()
  }
}

const ours: Reader = {
  async open(key) {
    const sdk = await createSDK({ storage: tmp('bench-sdk-ours'), bootstrap })
    try {
      const core = sdk.Hypercore(key)
      await core.ready()
      return { core, close: () => sdk.close() }
    } catch (err) {
      await sdk.close()
      throw err
    }
  },
}

const raw: Reader = {
  async open(key) {
    const store = new Corestore(tmp('bench-sdk-raw'))
    const swarm = new Hyperswarm({ dht: testnet.createNode() })
    swarm.on('connection', (conn: Duplex) => store.replicate(conn))
    const close = async () => {
      await swarm.destroy()
      await store.close()
    }
    try {
      const core = store.get({ key })
      await core.ready()
      const found = core.findingPeers()
      swarm.join(core.discoveryKey!, { server: false, client: true })
      swarm.flush().then(found, found)
      return { core, close }
    } catch (err) {
      await close()
      throw err
    }
  },
}

// --- 1. throughput ---

const openMs = { ours: [] as number[], baseline: [] as number[] }
const mib = (ms: number) => (BLOCKS * 1024) / 1024 / 1024 / (ms / 1000)
const throughput = await turnRounds(
  { rounds: ROUNDS, label: 'download', unit: 'MiB/s' },
  async (first) => {
    const opened: Partial<Record<keyof Pair, Awaited<ReturnType<Reader['open']>>>> = {}
    try {
      // Opened one after the other, the round's first side first: a fresh peer finds the writer
      // and sees the core's length. Timed apart, printed beside the row.
      for (const side of sidesFrom(first)) {
        const { ms } = await time(async () => {
          const o = await (side === 'ours' ? ours : raw).open(big.key!)
          opened[side] = o
          await o.core.update({ wait: true })
        })
        openMs[side].push(ms)
      }
      const ms = await chunkTurns(BLOCKS, TURN_BLOCKS, first, {
        ours: rangeFetcher(opened.ours!.core),
        baseline: rangeFetcher(opened.baseline!.core),
      })
      return { ours: mib(ms.ours), baseline: mib(ms.baseline) }
    } finally {
      for (const o of Object.values(opened)) await o.close()
    }
  },
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
  (await time(() => run(reader, small.key!, (core) => core.get(0)))).ms
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
    name: `sdk: download ${BLOCKS / 1000}k x 1 KiB opened by URL, both readers open, taking turns every ${TURN_BLOCKS} blocks, vs raw corestore + hyperswarm`,
    pairs: throughput,
    unit: 'MiB/s',
    better: 'higher',
    target: 0.9,
    extra: {
      'open until the length is seen, ms (median, ours / raw)': `${Math.round(median(openMs.ours))} / ${Math.round(median(openMs.baseline))}`,
    },
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
