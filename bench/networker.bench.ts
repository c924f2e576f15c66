// The networker against the raw Holepunch path, in the same run, on a loopback testnet:
// 1. Replication of 20,000 blocks of 1 KiB from one corestore to a fresh one through two
//    Networkers, against two raw Hyperswarms whose connections go straight into
//    `corestore.replicate()`. Each round joins one fresh reader of each kind, then the two take
//    turns downloading 1,000 blocks at a time (bench/lib.ts `chunkTurns`), so both meet the same
//    machine; each side's clock sums its turns. The joins are timed apart (printed, not scored).
// 2. Connection-level extension messages of 64 bytes on one connection: a StreamExtension against
//    a protomux channel opened by hand on the same mux. Throughput: 10,000 messages one way, the
//    clock runs until the last arrives. Round trip: 40,000 sequential ping / pongs, p50 and p99.
// Rounds alternate ours / raw (bench/lib.ts `interleave`, `turnRounds`), and every row is scored
// by the median of per-pair ratios. Round trips are taken in slices of RTT_SLICE per side;
// within a slice the two sides take turns every RTT_TURN round trips (a round trip is ~20 µs, so
// a slice lasts tens of ms and both sides meet the same load in it), and each slice gives its own
// p50 and p99 per side (`slicePairs`). The tail of a shared machine is its pauses: pooled, or in long one-side
// slices, whichever side a pause hit moves the p99; paired per slice, a pause hits both alike or
// moves one pair, which the median drops. The tail here is two-humped: most round trips take
// ~20 µs, and 1-2% stall for ~1 ms (on both paths alike, it is the loopback and the event loop,
// not the extension). Where the stalls are near 1% a slice's p99 can land in either hump, so its
// per-slice ratios spread wide; 40 slices keep their median still. Plain Corestores on both paths.
import b4a from '../packages/networker/node_modules/b4a/index.js'
import Corestore from '../packages/networker/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import Protomux from '../packages/networker/node_modules/protomux/index.js'
import c from '../packages/networker/node_modules/compact-encoding/index.js'
import { Networker, type NetworkPeer } from '../packages/networker/dist/index.js'
import { createTestnet, makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import {
  chunkTurns,
  interleave,
  median,
  pairedRow,
  rangeFetcher,
  percentile,
  report,
  sidesFrom,
  slicePairs,
  time,
  turnRounds,
  type Pair,
  type SlicePair,
} from './lib.ts'

const BLOCKS = Number(process.env.BENCH_NETWORKER_BLOCKS || 20_000)
const ROUNDS = Math.max(5, Number(process.env.BENCH_NETWORKER_ROUNDS || 13))
// Replication takes turns every TURN_BLOCKS blocks (~150 ms a turn here; see `chunkTurns`).
const TURN_BLOCKS = Number(process.env.BENCH_NETWORKER_TURN_BLOCKS || 1000)
const MESSAGES = Number(process.env.BENCH_NETWORKER_MESSAGES || 10_000)
// Message figures are short and the machine is shared: many small alternating slices even out noise.
const MESSAGE_ROUNDS = Number(process.env.BENCH_NETWORKER_MESSAGE_ROUNDS || 20)
// Round trips per side: 40 slices of 1,000 (a slice's p99 is its 10th slowest, a tail, not one
// outlier), taking turns every 10; a few seconds in all.
const RTT_MESSAGES = Number(process.env.BENCH_NETWORKER_RTT_MESSAGES || 40_000)
const RTT_SLICE = Number(process.env.BENCH_NETWORKER_RTT_SLICE || 1_000)
const RTT_TURN = 10
const BLOCK = new Uint8Array(1024).fill(0x62)
const PAYLOAD = new Uint8Array(64).fill(0x63)

const testnet = await createTestnet(3)
const dirs: string[] = []
function tmp(label: string): string {
  const dir = makeTmpDir(label)
  dirs.push(dir)
  return dir
}

// --- 1. replication ---

// One source per side, the same 20,000 blocks under two keys, so that each side's reader finds
// only its own writer (both readers stay joined through a round).
async function makeSource(label: string) {
  const store = new Corestore(tmp(`bench-nw-source-${label}`))
  const core = store.get({ name: 'bench' })
  await core.ready()
  if (!core.key || !core.discoveryKey) throw new Error('the source core has no key after ready()')
  for (let i = 0; i < BLOCKS; i += 1000) {
    await core.append(new Array<Uint8Array>(Math.min(1000, BLOCKS - i)).fill(BLOCK))
  }
  return { store, core, key: core.key, topic: core.discoveryKey }
}
type Source = Awaited<ReturnType<typeof makeSource>>
const sources = { ours: await makeSource('ours'), baseline: await makeSource('raw') }

type Join = (
  reader: Corestore,
  source: Source,
) => Promise<{ join(): Promise<void>; close(): Promise<void> }>

const viaNetworker: Join = async (reader, { store: source, topic: sourceTopic }) => {
  const writer = new Networker(source, { bootstrap: testnet.bootstrap })
  const networker = new Networker(reader, { bootstrap: testnet.bootstrap })
  await writer.configure(sourceTopic, { announce: true, lookup: false })
  return {
    join: () => networker.configure(sourceTopic, { announce: false, lookup: true }),
    async close() {
      await networker.close()
      await writer.close()
    },
  }
}

const viaRawSwarm: Join = async (reader, { store: source, topic: sourceTopic }) => {
  const writer = new Hyperswarm({ dht: testnet.createNode() })
  const swarm = new Hyperswarm({ dht: testnet.createNode() })
  writer.on('connection', (conn: NetworkPeer['stream']) => source.replicate(conn))
  swarm.on('connection', (conn: NetworkPeer['stream']) => reader.replicate(conn))
  await writer.join(sourceTopic, { server: true, client: false }).flushed()
  return {
    async join() {
      swarm.join(sourceTopic, { server: false, client: true })
      await swarm.flush()
    },
    async close() {
      await swarm.destroy()
      await writer.destroy()
    },
  }
}

interface OpenReader {
  clone: ReturnType<Corestore['get']>
  /** From the join until the reader sees the source's length. */
  joinMs: number
  close(): Promise<void>
}

/** A fresh reader of the source core, joined through `how` and holding no block yet. */
async function openReader(how: Join, source: Source): Promise<OpenReader> {
  const dir = tmp('bench-nw-reader')
  const reader = new Corestore(dir)
  const clone = reader.get({ key: source.key })
  await clone.ready()
  const path = await how(reader, source)
  const close = async () => {
    await path.close()
    await clone.close()
    await reader.close()
    await removeDir(dir)
  }
  try {
    const { ms } = await time(async () => {
      const done = clone.findingPeers()
      await path.join()
      done()
      await clone.update({ wait: true })
    })
    if (clone.length !== BLOCKS) throw new Error(`the reader sees ${clone.length} blocks`)
    return { clone, joinMs: ms, close }
  } catch (err) {
    await close()
    throw err
  }
}

const joinMs = { ours: [] as number[], baseline: [] as number[] }
const mbps = (ms: number) => (BLOCKS * BLOCK.byteLength) / 1e6 / (ms / 1000)
const repl = await turnRounds(
  { rounds: ROUNDS, label: 'replication', unit: 'MB/s' },
  async (first) => {
    const readers: Partial<Record<keyof Pair, OpenReader>> = {}
    try {
      // Opened one after the other, the round's first side first; both stay joined.
      for (const side of sidesFrom(first)) {
        readers[side] = await openReader(
          side === 'ours' ? viaNetworker : viaRawSwarm,
          sources[side],
        )
      }
      const ours = readers.ours!
      const raw = readers.baseline!
      joinMs.ours.push(ours.joinMs)
      joinMs.baseline.push(raw.joinMs)
      let timer: ReturnType<typeof setTimeout> | undefined
      const ms = await Promise.race([
        chunkTurns(BLOCKS, TURN_BLOCKS, first, {
          ours: rangeFetcher(ours.clone),
          baseline: rangeFetcher(raw.clone),
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('replication stalled for 2 minutes')), 120_000)
        }),
      ]).finally(() => clearTimeout(timer))
      for (const r of [ours, raw]) {
        if (r.clone.contiguousLength !== BLOCKS) throw new Error('a reader is missing blocks')
      }
      return { ours: mbps(ms.ours), baseline: mbps(ms.baseline) }
    } finally {
      for (const r of Object.values(readers)) await r.close()
    }
  },
)
for (const { core, store } of Object.values(sources)) {
  await core.close()
  await store.close()
}

// --- 2. extension messages on one connection ---

const storeA = new Corestore(tmp('bench-nw-a'))
const storeB = new Corestore(tmp('bench-nw-b'))
const a = new Networker(storeA, { bootstrap: testnet.bootstrap })
const b = new Networker(storeB, { bootstrap: testnet.bootstrap })

/** One direction of a message path: `send` from a, what b receives goes to `onB`, and back. */
interface Path {
  send(): void
  reply(): void
  onB: () => void
  onA: () => void
}

let received = 0
const ours: Path = { send: noop, reply: noop, onB: noop, onA: noop }
const extA = a.registerExtension('bench', { onmessage: () => ours.onA() })
const extB = b.registerExtension('bench', { onmessage: () => ours.onB() })

const topic = b4a.alloc(32, 7)
await a.configure(topic)
await b.configure(topic)
while (a.peers.length === 0 || b.peers.length === 0) await new Promise((r) => setTimeout(r, 20))
const peerAtA = a.peers[0]
const peerAtB = b.peers[0]
ours.send = () => extA.send(PAYLOAD, peerAtA)
ours.reply = () => extB.send(PAYLOAD, peerAtB)

// The baseline: a protomux channel opened by hand on the same mux, both ends.
const raw: Path = { send: noop, reply: noop, onB: noop, onA: noop }
function rawChannel(peer: NetworkPeer, on: () => void) {
  const channel = Protomux.from(peer.stream).createChannel({
    protocol: 'bench/raw',
    messages: [{ encoding: c.raw, onmessage: () => on() }],
  })!
  channel.open()
  return channel.messages[0]
}
const rawA = rawChannel(peerAtA, () => raw.onA())
const rawB = rawChannel(peerAtB, () => raw.onB())
raw.send = () => rawA.send(PAYLOAD)
raw.reply = () => rawB.send(PAYLOAD)

async function throughput(path: Path): Promise<number> {
  received = 0
  const all = new Promise<void>((resolve) => {
    path.onB = () => {
      if (++received === MESSAGES) resolve()
    }
  })
  const { ms } = await time(async () => {
    for (let i = 0; i < MESSAGES; i++) path.send()
    await all
  })
  return MESSAGES / (ms / 1000)
}

async function roundTrips(path: Path, count: number): Promise<number[]> {
  const samples: number[] = []
  path.onB = () => path.reply()
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint()
    await new Promise<void>((resolve) => {
      path.onA = resolve
      path.send()
    })
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return samples
}

const tput = await interleave(
  { rounds: MESSAGE_ROUNDS, label: 'extension throughput', unit: 'msg/s' },
  () => throughput(ours),
  () => throughput(raw),
)

const slices: SlicePair[] = []
for (let done = 0; done < RTT_MESSAGES; done += RTT_SLICE) {
  const slice: SlicePair = { ours: [], baseline: [] }
  for (let turn = 0; turn < Math.min(RTT_SLICE, RTT_MESSAGES - done); turn += RTT_TURN) {
    const oursFirst = (turn / RTT_TURN + slices.length) % 2 === 0
    for (const kind of oursFirst ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const)) {
      if (kind === 'ours') slice.ours.push(...(await roundTrips(ours, RTT_TURN)))
      else slice.baseline.push(...(await roundTrips(raw, RTT_TURN)))
    }
  }
  slices.push(slice)
}
const pooled = (side: keyof SlicePair) => slices.flatMap((s) => s[side]).sort((x, y) => x - y)
const rtt = { ours: pooled('ours'), raw: pooled('baseline') }

await a.close()
await b.close()
await storeA.close()
await storeB.close()
await testnet.destroy()
for (const dir of dirs) await removeDir(dir)

const rttRow = (p: number) => ({
  ...pairedRow({
    name: `networker: extension round trip p${p} (${RTT_MESSAGES / 1000}k)`,
    pairs: slicePairs(slices, p),
    unit: 'ms',
    better: 'lower',
    target: 0.9,
  }),
  rule: `median of ${slices.length} per-slice ratios of p${p} (${RTT_SLICE} round trips a slice per side, taking turns every ${RTT_TURN})`,
  extra: {
    [`pooled p${p} ours ms`]: Math.round(percentile(rtt.ours, p) * 1000) / 1000,
    [`pooled p${p} raw ms`]: Math.round(percentile(rtt.raw, p) * 1000) / 1000,
  },
})
report('networker', [
  pairedRow({
    name: `networker: replicate ${BLOCKS / 1000}k x 1 KiB over Hyperswarm, both readers joined, taking turns every ${TURN_BLOCKS} blocks`,
    pairs: repl,
    unit: 'MB/s',
    better: 'higher',
    target: 0.95,
    extra: {
      'join until the length is seen, ms (median, ours / raw)': `${Math.round(median(joinMs.ours))} / ${Math.round(median(joinMs.baseline))}`,
    },
  }),
  pairedRow({
    name: `networker: extension throughput, ${MESSAGES / 1000}k x 64 B`,
    pairs: tput,
    unit: 'msg/s',
    better: 'higher',
    target: 0.9,
  }),
  rttRow(50),
  rttRow(99),
])

function noop(): void {}
