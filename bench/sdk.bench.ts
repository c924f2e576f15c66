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
//    second, against the same download unwatched. The counting itself (each part's Meter) always
//    runs; this measures reading it and serving it.
// Rounds alternate ours / raw (bench/lib.ts `interleave`), each row scored by the median of its
// per-pair ratios. The writer is set up once, outside the clock.
import type { Duplex } from 'node:stream'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import { createSDK } from '../packages/sdk/dist/index.js'
import { serveMetrics } from '../packages/cli/dist/index.js'
import { createTestnet, makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import { interleave, pairedRow, report, time } from './lib.ts'

const BLOCKS = Number(process.env.BENCH_SDK_BLOCKS || 20_000)
const ROUNDS = Number(process.env.BENCH_SDK_ROUNDS || 7)
const LATENCY_ROUNDS = Number(process.env.BENCH_SDK_LATENCY_ROUNDS || 11)
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

/** Row 1's SDK reader, with stats read and /metrics scraped every second while it downloads. */
const watched: Reader = {
  async run(key, done) {
    const sdk = await createSDK({ storage: tmp('bench-sdk-watched'), bootstrap })
    const metrics = await serveMetrics(sdk, { host: '127.0.0.1', port: 0 })
    let scraping: Promise<unknown> = Promise.resolve()
    const timer = setInterval(() => {
      sdk.stats()
      scraping = fetch(metrics.url).then((res) => res.text())
    }, 1000)
    try {
      const core = sdk.Hypercore(key)
      await core.ready()
      await done(core)
    } finally {
      clearInterval(timer)
      await scraping.catch(() => {})
      await metrics.close()
      await sdk.close()
    }
  },
}
const counting = await interleave(
  { rounds: ROUNDS, label: 'download, watched', unit: 'MiB/s' },
  () => mibps(watched),
  () => mibps(ours),
)

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
    name: `sdk: download ${BLOCKS / 1000}k x 1 KiB with stats and /metrics scraped every second, vs unwatched`,
    pairs: counting,
    unit: 'MiB/s',
    better: 'higher',
    target: 0.98,
  }),
  pairedRow({
    name: 'sdk: fresh peer, URL to first block, vs raw corestore + hyperswarm',
    pairs: latency,
    unit: 'ms',
    better: 'lower',
    target: 0.8,
  }),
])
