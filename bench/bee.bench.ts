// Hyperbee through the SDK against raw hyperbee on raw corestore + Hyperswarm, in the same run, on
// a loopback testnet: a writer makes 10,000 puts (one put() call each, as an app would), then a
// remote reader makes 10,000 gets (one get() each, in key order). Ours: two SDKs, `Hyperbee(name)`
// on the writer and `Hyperbee(url)` on the reader. Raw: two Corestores, two Hyperswarms whose
// connections go into `corestore.replicate()`, `new Hyperbee(core)` on each. Same encodings
// (utf-8 keys and values) and the same DHT settings (127.0.0.1, not firewalled) on both sides.
// Each round starts fresh peers on both sides and connects them before the clock starts; the clock
// runs over the puts, then over the reader's `update({ wait: true })` and its gets. Within a round
// the two sides take turns every CHUNK operations (puts, then gets), the order alternating, so
// both meet the same load: a side's figure is the sum of its chunks. The rounds alternate which
// side starts too (bench/lib.ts `turnRounds`), and the row is scored by the median of the
// per-pair ratios of the totals.
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
import { median, pairedRow, report, time, turnRounds } from './lib.ts'

const ENTRIES = Number(process.env.BENCH_BEE_ENTRIES || 10_000)
// Nine pairs: the per-pair spread is 4% (six full runs), so the median of five moved about 2.2%,
// and three runs strayed 5.9% from their median.
const ROUNDS = Number(process.env.BENCH_BEE_ROUNDS || 9)
// Operations per turn: a few hundred ms each, long enough to time, short next to load swings.
const CHUNK = Number(process.env.BENCH_BEE_CHUNK || 500)
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

/** One side's connected writer and reader, and how to close them. */
interface Peers {
  writer: BeeSide
  reader: BeeSide
  close(): Promise<void>
}

async function ours(): Promise<Peers> {
  const a = await createSDK({ storage: false, bootstrap })
  const b = await createSDK({ storage: false, bootstrap })
  const close = () => Promise.all([a.close(), b.close()]).then(() => {})
  try {
    const opts = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
    const writer = a.Hyperbee<string, string>('bench', opts)
    await writer.ready()
    await a.flush(writer)
    const reader = b.Hyperbee<string, string>(writer.url, opts)
    await reader.ready()
    await eventually(() => reader.peers().length > 0, { timeout: 30_000 })
    return { writer, reader, close }
  } catch (err) {
    await close()
    throw err
  }
}

async function raw(): Promise<Peers> {
  const dirs = [makeTmpDir('bench-bee-a'), makeTmpDir('bench-bee-b')]
  const storeA = new Corestore(dirs[0])
  const storeB = new Corestore(dirs[1])
  const swarmA = new Hyperswarm({ dht: testnet.createNode() })
  const swarmB = new Hyperswarm({ dht: testnet.createNode() })
  swarmA.on('connection', (conn: Duplex) => storeA.replicate(conn))
  swarmB.on('connection', (conn: Duplex) => storeB.replicate(conn))
  const close = async () => {
    await Promise.all([swarmA.destroy(), swarmB.destroy()])
    await Promise.all([storeA.close(), storeB.close()])
    for (const dir of dirs) await removeDir(dir)
  }
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
    return { writer, reader, close }
  } catch (err) {
    await close()
    throw err
  }
}

type Kind = 'ours' | 'raw'

/** One round: both sides' puts, then their gets, in turns of CHUNK; each side's times summed. */
async function round(first: Kind): Promise<Record<Kind, Result>> {
  const peers: Partial<Record<Kind, Peers>> = {}
  try {
    peers.ours = await ours()
    peers.raw = await raw()
    const got: Record<Kind, Result> = { ours: { puts: 0, gets: 0 }, raw: { puts: 0, gets: 0 } }
    const order = (turn: number): Kind[] =>
      (turn % 2 === 0) === (first === 'ours') ? ['ours', 'raw'] : ['raw', 'ours']
    let turn = 0
    for (let from = 0; from < ENTRIES; from += CHUNK, turn++) {
      for (const kind of order(turn)) {
        const { writer } = peers[kind]!
        got[kind].puts += (
          await time(async () => {
            for (let i = from; i < Math.min(from + CHUNK, ENTRIES); i++) {
              await writer.put(key(i), value(i))
            }
          })
        ).ms
      }
    }
    for (let from = 0; from < ENTRIES; from += CHUNK, turn++) {
      for (const kind of order(turn)) {
        const { reader } = peers[kind]!
        got[kind].gets += (
          await time(async () => {
            if (from === 0) await reader.update({ wait: true })
            for (let i = from; i < Math.min(from + CHUNK, ENTRIES); i++) {
              const entry = await reader.get(key(i))
              if (entry?.value !== value(i)) throw new Error(`${kind}: wrong value for ${key(i)}`)
            }
          })
        ).ms
      }
    }
    return got
  } finally {
    await peers.ours?.close()
    await peers.raw?.close()
  }
}

const results: Record<Kind, Result[]> = { ours: [], raw: [] }
const pairs = await turnRounds(
  { rounds: ROUNDS, warmup: 0, label: 'bee puts+gets', unit: 'ms' },
  async (first) => {
    const got = await round(first === 'ours' ? 'ours' : 'raw')
    results.ours.push(got.ours)
    results.raw.push(got.raw)
    return { ours: got.ours.puts + got.ours.gets, baseline: got.raw.puts + got.raw.gets }
  },
)
await testnet.destroy()

const ms = (kind: Kind, part: keyof Result) => Math.round(median(results[kind].map((r) => r[part])))
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
