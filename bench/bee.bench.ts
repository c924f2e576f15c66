// Hyperbee through the SDK against raw hyperbee on raw corestore + Hyperswarm, in the same run, on
// a loopback testnet: a writer makes 10,000 puts (one put() call each, as an app would), then a
// remote reader makes 10,000 gets (one get() each, in key order). Ours: two SDKs, `Hyperbee(name)`
// on the writer and `Hyperbee(url)` on the reader. Raw: two Corestores, two Hyperswarms whose
// connections go into `corestore.replicate()`, `new Hyperbee(core)` on each. Same encodings
// (utf-8 keys and values) and the same DHT settings (127.0.0.1, not firewalled) on both sides.
// Each round starts fresh peers and connects them before the clock starts; the clock runs over the
// puts, then over the reader's `update({ wait: true })` and its gets. Rounds alternate ours / raw;
// the row is scored by the median of per-pair ratios of the totals (bench/lib.ts).
import type { Duplex } from 'node:stream'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import Hyperbee from '../packages/bee-wrapper/node_modules/hyperbee/index.js'
import { createSDK } from '../packages/sdk/dist/index.js'
import {
  createTestnet,
  eventually,
  makeTmpDir,
  removeDir,
} from '../packages/test-utils/dist/index.js'
import { interleave, median, pairedRow, report, time } from './lib.ts'

const ENTRIES = Number(process.env.BENCH_BEE_ENTRIES || 10_000)
const ROUNDS = Number(process.env.BENCH_BEE_ROUNDS || 5)
const key = (i: number) => `key-${String(i).padStart(6, '0')}`
const value = (i: number) => `value of entry ${i}, about forty bytes long`

const testnet = await createTestnet(3)
const bootstrap = testnet.bootstrap

interface Result {
  puts: number
  gets: number
}

/** The same reads and writes on both sides. */
interface BeeSide {
  put(key: string, value: string): Promise<void>
  get(key: string): Promise<{ value: string } | null>
  update(opts: { wait: boolean }): Promise<boolean>
}

async function measure(writer: BeeSide, reader: BeeSide): Promise<Result> {
  const puts = await time(async () => {
    for (let i = 0; i < ENTRIES; i++) await writer.put(key(i), value(i))
  })
  const gets = await time(async () => {
    await reader.update({ wait: true })
    for (let i = 0; i < ENTRIES; i++) {
      const entry = await reader.get(key(i))
      if (entry?.value !== value(i)) throw new Error(`reader: wrong value for ${key(i)}`)
    }
  })
  return { puts: puts.ms, gets: gets.ms }
}

async function ours(): Promise<Result> {
  const a = await createSDK({ storage: false, bootstrap })
  const b = await createSDK({ storage: false, bootstrap })
  try {
    const opts = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
    const writer = a.Hyperbee<string, string>('bench', opts)
    await writer.ready()
    await a.flush(writer)
    const reader = b.Hyperbee<string, string>(writer.url, opts)
    await reader.ready()
    await eventually(() => reader.peers().length > 0, { timeout: 30_000 })
    return await measure(writer, reader)
  } finally {
    await Promise.all([a.close(), b.close()])
  }
}

async function raw(): Promise<Result> {
  const dirs = [makeTmpDir('bench-bee-a'), makeTmpDir('bench-bee-b')]
  const storeA = new Corestore(dirs[0])
  const storeB = new Corestore(dirs[1])
  const swarmA = new Hyperswarm({ dht: testnet.createNode() })
  const swarmB = new Hyperswarm({ dht: testnet.createNode() })
  swarmA.on('connection', (conn: Duplex) => storeA.replicate(conn))
  swarmB.on('connection', (conn: Duplex) => storeB.replicate(conn))
  try {
    const opts = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
    const writer = new Hyperbee<string, string>(storeA.get({ name: 'bench' }), opts)
    await writer.ready()
    await swarmA.join(writer.discoveryKey!, { server: true, client: true }).flushed()
    const reader = new Hyperbee<string, string>(storeB.get({ key: writer.key! }), opts)
    await reader.ready()
    const done = reader.core.findingPeers()
    swarmB.join(reader.discoveryKey!, { server: false, client: true })
    swarmB.flush().then(done, done)
    await eventually(() => reader.core.peers.length > 0, { timeout: 30_000 })
    return await measure(writer, reader)
  } finally {
    await Promise.all([swarmA.destroy(), swarmB.destroy()])
    await Promise.all([storeA.close(), storeB.close()])
    for (const dir of dirs) removeDir(dir)
  }
}

const results: Record<'ours' | 'raw', Result[]> = { ours: [], raw: [] }
const total = (kind: 'ours' | 'raw') => async () => {
  const r = kind === 'ours' ? await ours() : await raw()
  results[kind].push(r)
  return r.puts + r.gets
}
const pairs = await interleave(
  { rounds: ROUNDS, warmup: 0, label: 'bee puts+gets', unit: 'ms' },
  total('ours'),
  total('raw'),
)
await testnet.destroy()

const ms = (kind: 'ours' | 'raw', part: keyof Result) =>
  Math.round(median(results[kind].map((r) => r[part])))
report('bee', [
  {
    ...pairedRow({
      name: `bee: ${ENTRIES / 1000}k puts, then ${ENTRIES / 1000}k remote gets`,
      pairs,
      unit: 'ms',
      better: 'lower',
      target: 0.95,
    }),
    extra: {
      'median puts ours/raw ms': `${ms('ours', 'puts')}/${ms('raw', 'puts')}`,
      'median gets ours/raw ms': `${ms('ours', 'gets')}/${ms('raw', 'gets')}`,
    },
  },
])
