// Three writers of one Autobase, each putting 2,000 keys (100 at a time, issued together, so
// Autobase appends them as one batch: put by put, 6,000 awaited puts take minutes on either side):
// `Base` with its default view against raw Autobase 7 with a hand-written Hyperbee apply (the same
// batch-and-flush apply, a compact-encoding op codec like ours, the same Hyperbee settings). Both
// sides get the same setup: three temporary stores, a full mesh of in-process replication streams
// (a.replicate(true) piped into b.replicate(false)), the second and third writers added by the
// first through the log, Autobase's default settings.
//
// The scored row: the writers take turns, a batch each, and each turn waits until every peer's
// view holds it, until all 6,000 are in. Each batch is written after the writer has seen every
// earlier one, so a peer seldom takes back what it applied (Autobase still re-applies a little as
// the indexers' acknowledgements settle the order: ~1,200 to 1,900 view blocks a round of 6,000,
// printed per round), and the time is the put, replicate and apply path, which is what differs
// between the two sides. The clock runs from the first put to the last view.
//
// Printed beside it, not scored, in the first 5 rounds of each side (BENCH_AUTOBASE_AT_ONCE_ROUNDS;
// in all 15 they took half the file's ~7 minutes): the same puts with all three writers at once
// (the clock stops when every view holds every put), then one writer offline (its streams
// destroyed) while every writer puts 200 more, and the time from its reconnection until every
// view holds them all. How long those take follows how much of its view each peer takes back
// when another writer's entries arrive that sort before ones it applied (`rewinds`), which the
// writers' interleaving decides, not either side: in the three full runs before this split, each
// side's round times correlated 0.74 to 0.86 with the blocks rewound, and the row's median moved
// 0.96, 1.17, 1.00.
// Rounds alternate which side goes first (bench/lib.ts `interleave`), after one small warm-up of
// each; every round's figures are printed and written to the JSON.
import type { Duplex } from 'node:stream'
import b4a from '../packages/autobase/node_modules/b4a/index.js'
import c, { type Encoder } from '../packages/autobase/node_modules/compact-encoding/index.js'
import Autobase from '../packages/autobase/node_modules/autobase/index.js'
import type { AutobaseHost, AutobaseNode, AutoStore } from 'autobase'
import Hyperbee from '../packages/autobase/node_modules/hyperbee/index.js'
import { Store } from '../packages/store/dist/index.js'
import { Base } from '../packages/autobase/dist/index.js'
import { replicatePair, type ReplicatedPair } from '../packages/test-utils/dist/index.js'
import { interleave, median, pairedRow, report, round as round3, time } from './lib.ts'

const WRITERS = 3
const PUTS = Number(process.env.BENCH_AUTOBASE_PUTS || 2_000)
const OFFLINE_PUTS = Number(process.env.BENCH_AUTOBASE_OFFLINE_PUTS || 200)
const ROUNDS = Number(process.env.BENCH_AUTOBASE_ROUNDS || 15)
const BATCH = Number(process.env.BENCH_AUTOBASE_BATCH || 100)
/** The rounds (of each side, from the first) that also run the unscored phases. */
const AT_ONCE_ROUNDS = Number(process.env.BENCH_AUTOBASE_AT_ONCE_ROUNDS ?? 5)
const STALL_MS = Number(process.env.BENCH_AUTOBASE_STALL_MS || 120_000)
const VALUE = b4a.alloc(64, 0x61)

type Kind = 'ours' | 'raw'

/** What a round needs of one peer, the same calls on a Base and on a raw Autobase. */
interface Peer {
  ready(): Promise<void>
  readonly key: Uint8Array
  readonly localKey: Uint8Array
  readonly writable: boolean
  put(key: string, value: Uint8Array): Promise<void>
  addWriter(key: Uint8Array): Promise<void>
  /** Blocks in the view's Hyperbee: its header and one per put applied. */
  viewLength(): number
  /** The view's core, to count the blocks a reorder takes back (see `rewinds`). */
  viewCore(): ViewCore
  /** The view's entries as `key=<value length>`, in key order. */
  entries(): Promise<string[]>
  replicate(isInitiator: boolean): Duplex
  close(): Promise<void>
}

// -- ours: Base, default view ----------------------------------------------------------------------

function oursPeer(store: Store, key: Uint8Array | null): Peer {
  const base = new Base<string, Uint8Array>(store, key, { keyEncoding: 'utf-8' })
  const bee = () => base.view as Hyperbee
  return {
    ready: () => base.ready(),
    get key() {
      return base.key!
    },
    get localKey() {
      return base.localKey!
    },
    get writable() {
      return base.writable
    },
    put: (k, v) => base.put(k, v),
    addWriter: (k) => base.addWriter(k),
    viewLength: () => bee().core.length,
    viewCore: () => bee().core,
    async entries() {
      const out: string[] = []
      for await (const e of base.createReadStream()) out.push(`${e.key}=${e.value.byteLength}`)
      return out
    },
    replicate: (isInitiator) => base.replicate(isInitiator),
    close: () => base.close(),
  }
}

// -- raw: Autobase 7 with a hand-written Hyperbee apply ----------------------------------------------

const PUT = 0
const ADD_WRITER = 1
const EMPTY = b4a.alloc(0)
interface RawOp {
  type: number
  key: Uint8Array
  value: Uint8Array
}
const rawOp: Encoder<RawOp> = {
  preencode(state, op) {
    c.uint.preencode(state, op.type)
    c.buffer.preencode(state, op.key)
    c.buffer.preencode(state, op.value)
  },
  encode(state, op) {
    c.uint.encode(state, op.type)
    c.buffer.encode(state, op.key)
    c.buffer.encode(state, op.value)
  },
  decode(state) {
    return {
      type: c.uint.decode(state),
      key: c.buffer.decode(state),
      value: c.buffer.decode(state),
    }
  },
}

function rawPeer(store: Store, key: Uint8Array | null): Peer {
  const autobase = new Autobase(store.corestore.namespace('bench-raw'), key, {
    valueEncoding: rawOp,
    open: (viewStore: AutoStore) =>
      new Hyperbee(viewStore.get('view'), {
        keyEncoding: 'binary',
        valueEncoding: 'binary',
        extension: false,
      }),
    async apply(nodes: Array<AutobaseNode<RawOp | null>>, view: Hyperbee, host: AutobaseHost) {
      const batch = view.batch({ update: false })
      for (const { value: op } of nodes) {
        if (!op) continue // an ack
        if (op.type === ADD_WRITER) await host.addWriter(op.key, { indexer: true })
        else await batch.put(op.key, op.value)
      }
      await batch.flush()
    },
    close: (view: Hyperbee) => view.close(),
  })
  return {
    ready: () => autobase.ready(),
    get key() {
      return autobase.key!
    },
    get localKey() {
      return autobase.local.key!
    },
    get writable() {
      return autobase.writable
    },
    put: async (k, v) => {
      await autobase.append({ type: PUT, key: b4a.from(k), value: v })
    },
    addWriter: async (k) => {
      await autobase.append({ type: ADD_WRITER, key: k, value: EMPTY })
    },
    viewLength: () => autobase.view.core.length,
    viewCore: () => autobase.view.core,
    async entries() {
      const out: string[] = []
      for await (const e of autobase.view.createReadStream()) {
        out.push(`${b4a.toString(e.key)}=${e.value.byteLength}`)
      }
      return out
    },
    replicate: (isInitiator) => autobase.replicate(isInitiator),
    close: () => autobase.close(),
  }
}

// -- what a round's time follows ---------------------------------------------------------------

/** What `rewinds` needs of a view's core. */
interface ViewCore {
  readonly length: number
  on(event: 'append', listener: () => void): unknown
  on(event: 'truncate', listener: (ancestors: number) => void): unknown
}

/**
 * Counts the view blocks a peer's reorders take back: when a writer's entries arrive that sort
 * before ones already applied, Autobase truncates the view and applies again from there. How much
 * of that a round does depends on how the three writers' appends and replication interleave
 * (printed per round, beside the correlation of round time with it).
 */
function rewinds(core: ViewCore): () => number {
  let seen = core.length
  let rewound = 0
  core.on('append', () => {
    seen = core.length
  })
  core.on('truncate', (ancestors) => {
    rewound += Math.max(0, seen - ancestors)
    seen = core.length
  })
  return () => rewound
}

// -- one round ---------------------------------------------------------------------------------

/** Resolves once `ok()` holds (checked every 5 ms, the same on both sides), or rejects after STALL_MS. */
async function until(ok: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + STALL_MS
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`no convergence within ${STALL_MS} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** `count` puts by one writer, BATCH at a time (issued together, so Autobase appends them as one). */
async function putMany(peer: Peer, writer: number, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n += BATCH) {
    const puts: Array<Promise<void>> = []
    for (let m = n; m < Math.min(n + BATCH, from + count); m++) {
      puts.push(peer.put(`w${writer}/${String(m).padStart(6, '0')}`, VALUE))
    }
    await Promise.all(puts)
  }
}

interface RoundResult {
  /** The writers taking turns (scored). */
  turns: number
  /** View blocks taken back by reorders on all peers while taking turns (few, not none). */
  turnsRewound: number
  /** All writers at once, until every view holds every put (NaN in a round that skipped it). */
  converge: number
  rejoin: number
  /** View blocks taken back by reorders on all peers while converging (see `rewinds`). */
  rewound: number
}

/** The writers take turns, `puts` each, BATCH a turn; each turn waits until every view holds it. */
async function inTurns(kind: Kind, peers: Peer[], puts: number): Promise<void> {
  let expected = 1 // the view's Hyperbee header, which the first put's apply writes
  for (let n = 0; n < puts; n += BATCH) {
    const count = Math.min(BATCH, puts - n)
    for (let w = 0; w < WRITERS; w++) {
      await putMany(peers[w], w, n, count)
      expected += count
      await until(() => peers.every((p) => p.viewLength() === expected), `${kind}: turn ${n}/${w}`)
    }
  }
}

/** One round of `kind`; with `unscored`, the at-once and rejoin phases after the turns. */
async function run(
  kind: Kind,
  unscored: boolean,
  puts = PUTS,
  offlinePuts = OFFLINE_PUTS,
): Promise<RoundResult> {
  const stores = Array.from({ length: WRITERS }, () => Store.temp())
  const open = kind === 'ours' ? oursPeer : rawPeer
  const peers: Peer[] = []
  const pairs = new Map<string, ReplicatedPair>()
  const connect = (i: number, j: number) => {
    pairs.set(`${i}-${j}`, replicatePair(peers[i], peers[j]))
  }
  try {
    peers.push(open(stores[0], null))
    await peers[0].ready()
    for (let i = 1; i < WRITERS; i++) {
      peers.push(open(stores[i], peers[0].key))
      await peers[i].ready()
    }
    for (let i = 0; i < WRITERS; i++) for (let j = i + 1; j < WRITERS; j++) connect(i, j)
    for (const p of peers.slice(1)) await peers[0].addWriter(p.localKey)
    await until(() => peers.every((p) => p.writable), 'writers added')
    const counters = peers.map((p) => rewinds(p.viewCore()))
    const rewoundSoFar = () => counters.reduce((sum, n) => sum + n(), 0)

    // The writers take turns (scored).
    const { ms: turns } = await time(() => inTurns(kind, peers, puts))
    const turnsRewound = rewoundSoFar()
    await sameViews(kind, peers, WRITERS * puts)
    if (!unscored) return { turns, turnsRewound, converge: NaN, rejoin: NaN, rewound: NaN }

    // Every writer puts at once; the clock stops when every view holds every put.
    const all = 1 + 2 * WRITERS * puts
    const { ms: converge } = await time(async () => {
      await Promise.all(peers.map((p, i) => putMany(p, i, puts, puts)))
      await until(() => peers.every((p) => p.viewLength() === all), `${kind}: ${all} blocks`)
    })
    const rewoundConverging = rewoundSoFar() - turnsRewound
    await sameViews(kind, peers, 2 * WRITERS * puts)

    // The last writer goes offline; everyone writes; it comes back.
    const last = WRITERS - 1
    for (const [id, pair] of pairs) {
      if (id.endsWith(`-${last}`)) {
        await pair.close()
        pairs.delete(id)
      }
    }
    await Promise.all(peers.map((p, i) => putMany(p, i, 2 * puts, offlinePuts)))
    const online = all + last * offlinePuts
    await until(
      () => peers.every((p, i) => p.viewLength() === (i === last ? all + offlinePuts : online)),
      `${kind}: offline puts applied`,
    )
    const total = all + WRITERS * offlinePuts
    const { ms: rejoin } = await time(async () => {
      for (let i = 0; i < last; i++) connect(i, last)
      await until(() => peers.every((p) => p.viewLength() === total), `${kind}: rejoin`)
    })
    await sameViews(kind, peers, WRITERS * (2 * puts + offlinePuts))
    return { turns, turnsRewound, converge, rejoin, rewound: rewoundConverging }
  } finally {
    for (const pair of pairs.values()) await pair.close()
    for (const p of peers) await p.close().catch(() => {})
    for (const s of stores) await s.close()
  }
}

/** Not timed: every peer's view holds the same `count` entries. */
async function sameViews(kind: Kind, peers: Peer[], count: number): Promise<void> {
  const views = await Promise.all(peers.map((p) => p.entries()))
  for (const v of views) {
    if (v.length !== count || v.join('\n') !== views[0].join('\n')) {
      throw new Error(`${kind}: the views differ (${views.map((x) => x.length).join(', ')})`)
    }
  }
}

// -- rounds --------------------------------------------------------------------------------------

for (const kind of ['raw', 'ours'] as const) {
  const r = await run(kind, true, 200, 50) // warm-up, not counted
  console.log(
    `warm-up ${kind}: turns ${Math.round(r.turns)} ms, at once ${Math.round(r.converge)} ms, rejoin ${Math.round(r.rejoin)} ms`,
  )
}
const figures: Record<Kind, RoundResult[]> = { ours: [], raw: [] }
const side = (kind: Kind) => async () => {
  const r = await run(kind, figures[kind].length < AT_ONCE_ROUNDS)
  figures[kind].push(r)
  return r.turns
}
const pairs = await interleave(
  { rounds: ROUNDS, warmup: 0, label: 'autobase in turns', unit: 'ms' },
  side('ours'),
  side('raw'),
)
/** Each round's `f` (of the rounds that ran it: the unscored phases ran in the first ones). */
const of = (kind: Kind, f: keyof RoundResult) =>
  figures[kind].map((r) => r[f]).filter((x) => !Number.isNaN(x))
const ratios = (f: keyof RoundResult) => {
  const raw = of('raw', f)
  return of('ours', f).map((ours, i) => raw[i] / ours)
}

/** Pearson's correlation of two equally long series. */
function correlation(xs: number[], ys: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length
  const [mx, my] = [mean(xs), mean(ys)]
  let [sxy, sxx, syy] = [0, 0, 0]
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my)
    sxx += (xs[i] - mx) ** 2
    syy += (ys[i] - my) ** 2
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0
}

const row = pairedRow({
  name: `autobase: ${WRITERS} writers x ${PUTS / 1000}k puts, taking turns, on every peer's view, Base vs raw Autobase+Hyperbee`,
  pairs,
  unit: 'ms',
  better: 'lower',
  target: 0.9,
  extra: {
    'view blocks rewound per round in turns, ours': of('ours', 'turnsRewound').join(' '),
    'view blocks rewound per round in turns, raw': of('raw', 'turnsRewound').join(' '),
    'correlation of time in turns with blocks rewound (ours / raw)': `${round3(
      correlation(of('ours', 'turns'), of('ours', 'turnsRewound')),
    )} / ${round3(correlation(of('raw', 'turns'), of('raw', 'turnsRewound')))}`,
    'not scored, all writers at once: ours ms (median)': Math.round(median(of('ours', 'converge'))),
    'not scored, all writers at once: raw ms (median)': Math.round(median(of('raw', 'converge'))),
    'not scored, all writers at once: per-round ratios': ratios('converge').map(round3).join(' '),
    'not scored, rejoin: ours ms (median)': Math.round(median(of('ours', 'rejoin'))),
    'not scored, rejoin: raw ms (median)': Math.round(median(of('raw', 'rejoin'))),
    'not scored, rejoin: per-round ratios': ratios('rejoin').map(round3).join(' '),
    'view blocks rewound per round at once, ours': of('ours', 'rewound').join(' '),
    'view blocks rewound per round at once, raw': of('raw', 'rewound').join(' '),
    'correlation of at-once time with blocks rewound (ours / raw)': `${round3(
      correlation(of('ours', 'converge'), of('ours', 'rewound')),
    )} / ${round3(correlation(of('raw', 'converge'), of('raw', 'rewound')))}`,
  },
})
report('autobase', [row])
