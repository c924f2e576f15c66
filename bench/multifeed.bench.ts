// Two peers, one side holding 1,000 feeds of 10 blocks (10,000 blocks): time until the other side
// holds everything, with Multifeed (manifest exchange, then replication) against raw corestore
// replication of the same cores with the keys handed over out of band. Then the same 10,000
// blocks in one feed, both ways, to show what a feed costs on its own, and ours on 1,000 feeds
// against ours on one feed (goal: within 2x). Plus the manifest's bytes per feed on the wire, held
// to a budget. In-process replication streams; rounds alternate the two sides (bench/lib.ts
// `interleave`), each row scored by the median of its per-pair ratios; the clock starts after both
// sides are written and open, and stops on both sides at the same event: the reader holds every
// block of every feed. (Our streams then end by themselves, outside the clock; a round checks that
// they do.)
import type { Duplex } from 'node:stream'
import b4a from '../packages/multifeed/node_modules/b4a/index.js'
import Protomux from '../packages/multifeed/node_modules/protomux/index.js'
import { Store } from '../packages/store/dist/index.js'
import { Multifeed, PROTOCOL } from '../packages/multifeed/dist/index.js'
import { makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import { budgetRow, interleave, median, pairedRow, report, share, time } from './lib.ts'

const FEEDS = Number(process.env.BENCH_MULTIFEED_FEEDS || 1_000)
const BLOCKS = Number(process.env.BENCH_MULTIFEED_BLOCKS || 10)
// Each is this process's share of the rounds when `bench/run.mjs` runs this file in several
// processes (it runs it in one: see bench/README.md, "Several processes").
const ROUNDS = share(Number(process.env.BENCH_MULTIFEED_ROUNDS || 12))
// The one-feed comparison's pairs last ~1.2 s and spread ±10% (sd of the log ratio 0.074 over
// three runs), so 9 of them moved its median by 5.8% from run to run; 15 cost ~7 s more.
const ONE_FEED_ROUNDS = share(Number(process.env.BENCH_MULTIFEED_ONE_FEED_ROUNDS || 15))
const BLOCK = b4a.from('a block of a multifeed benchmark, 48 bytes long.')
// A message's framing on the wire besides its payload: protomux's channel id and message type
// (one byte each here) and secret-stream's 3-byte length and 17-byte authentication tag.
const FRAMING = 2 + 3 + 17

// Counts what the multifeed channels send as manifests (message 0), framing included.
const manifests = { bytes: 0, feeds: 0, messages: 0 }
const createChannel = Protomux.prototype.createChannel
Protomux.prototype.createChannel = function (
  this: Protomux,
  opts: Parameters<Protomux['createChannel']>[0],
) {
  const channel = createChannel.call(this, opts)
  if (channel && opts.protocol === PROTOCOL) {
    const manifest = channel.messages[0]
    const send = manifest.send.bind(manifest)
    manifest.send = (bytes: unknown) => {
      manifests.bytes += (bytes as Uint8Array).byteLength + FRAMING
      manifests.messages++
      return send(bytes)
    }
  }
  return channel
}

function blocks(n: number): Uint8Array[] {
  return new Array<Uint8Array>(n).fill(BLOCK)
}

function untilClosed(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    let closed = 0
    for (const s of [a, b]) {
      s.on('error', reject)
      s.on('close', () => ++closed === 2 && resolve())
    }
    a.pipe(b).pipe(a)
  })
}

/**
 * Resolves once `reader` holds `total` blocks, counted from each feed's contiguous length as
 * feeds arrive and blocks download (a feed's blocks may land before the feed is announced).
 */
function allHeld(reader: Multifeed, total: number): Promise<void> {
  return new Promise((resolve) => {
    let held = 0
    const count = (core: ReturnType<Multifeed['feeds']>[number]): void => {
      let last = 0
      const update = (): void => {
        held += core.contiguousLength - last
        last = core.contiguousLength
        if (held === total) resolve()
      }
      core.on('download', update)
      update()
    }
    for (const core of reader.feeds()) count(core)
    reader.on('feed', count)
  })
}

/** Multifeed: `feeds` writers of `perFeed` blocks on one side; the clock runs until all is held. */
async function ours(
  feeds: number,
  perFeed: number,
): Promise<{ ms: number; manifestBytes: number }> {
  const dirs = [makeTmpDir('bench-mf'), makeTmpDir('bench-mf')]
  const writer = new Multifeed(dirs[0])
  const reader = new Multifeed(dirs[1], { maxFeeds: feeds })
  try {
    await Promise.all(
      Array.from({ length: feeds }, async (_, i) =>
        (await writer.writer(`w${i}`)).append(blocks(perFeed)),
      ),
    )
    await reader.ready()
    const before = { ...manifests }
    let closed: Promise<void> = Promise.resolve()
    const { ms } = await time(async () => {
      const held = allHeld(reader, feeds * perFeed)
      closed = untilClosed(writer.replicate(true), reader.replicate(false))
      await Promise.race([held, closed.then(() => Promise.reject(new Error('closed early')))])
    })
    await closed // a non-live exchange ends both streams by itself once both sides hold all
    const held = reader.feeds().reduce((n, f) => n + f.contiguousLength, 0)
    if (reader.feeds().length !== feeds || held !== feeds * perFeed) {
      throw new Error(`multifeed synced ${reader.feeds().length} feeds, ${held} blocks`)
    }
    return { ms, manifestBytes: manifests.bytes - before.bytes }
  } finally {
    await Promise.all([writer.close(), reader.close()])
    await Promise.all(dirs.map(removeDir))
  }
}

/** Raw corestore: the same cores, keys handed over out of band; the clock runs until all is held. */
async function raw(feeds: number, perFeed: number): Promise<number> {
  const dirs = [makeTmpDir('bench-raw'), makeTmpDir('bench-raw')]
  const a = new Store(dirs[0])
  const b = new Store(dirs[1])
  try {
    const cores = await Promise.all(
      Array.from({ length: feeds }, async (_, i) => {
        const core = a.get({ name: `w${i}` })
        await core.ready()
        await core.append(blocks(perFeed))
        return core
      }),
    )
    await b.ready()
    const { ms } = await time(async () => {
      const sa = a.replicate(true)
      const sb = b.replicate(false)
      sa.on('error', () => {})
      sb.on('error', () => {})
      sa.pipe(sb).pipe(sa)
      const clones = cores.map((core) => b.get({ key: core.key! }))
      await Promise.all(clones.map((clone) => clone.download({ start: 0, end: perFeed }).done()))
      sa.destroy()
    })
    return ms
  } finally {
    await Promise.all([a.close(), b.close()])
    await Promise.all(dirs.map(removeDir))
  }
}

let manifestBytes = 0
const oursMany = async () => {
  const m = await ours(FEEDS, BLOCKS)
  manifestBytes = m.manifestBytes
  return m.ms
}
const oursOne = async () => (await ours(1, FEEDS * BLOCKS)).ms
const opts = { rounds: ROUNDS, unit: 'ms' }
const many = await interleave({ ...opts, label: `${FEEDS} feeds vs raw` }, oursMany, () =>
  raw(FEEDS, BLOCKS),
)
const one = await interleave(
  { ...opts, rounds: ONE_FEED_ROUNDS, label: '1 feed vs raw' },
  oursOne,
  () => raw(1, FEEDS * BLOCKS),
)
// ours on many feeds as "ours", ours on one feed as the baseline: within 2x passes.
const feedCost = await interleave(
  { ...opts, warmup: 0, label: `${FEEDS} feeds vs 1 feed` },
  oursMany,
  oursOne,
)

const manyRow = pairedRow({
  name: `multifeed: ${FEEDS} feeds x ${BLOCKS} blocks, time to sync, vs raw corestore`,
  pairs: many,
  unit: 'ms',
  better: 'lower',
  target: 0.95,
})
// The writer's manifest to the reader: one message listing every feed.
const bytesPerFeed = manifestBytes / FEEDS
report('multifeed', [
  { ...manyRow, extra: { 'ms per feed': Math.round((manyRow.ours / FEEDS) * 100) / 100 } },
  pairedRow({
    name: `multifeed: 1 feed x ${FEEDS * BLOCKS} blocks, time to sync, vs raw corestore`,
    pairs: one,
    unit: 'ms',
    better: 'lower',
    target: 0.8,
  }),
  {
    ...pairedRow({
      name: `multifeed: ${FEEDS} feeds x ${BLOCKS} blocks vs 1 feed x ${FEEDS * BLOCKS} blocks (ours both; within 2x)`,
      pairs: feedCost,
      unit: 'ms',
      better: 'lower',
      target: 0.5,
    }),
    // The same ratio for raw corestore, from the raw sides of the first two comparisons: what a
    // feed costs the stack itself, which a multifeed of one hypercore per feed inherits.
    extra: {
      'raw corestore, same ratio':
        Math.round(
          (median(one.map((p) => p.baseline)) / median(many.map((p) => p.baseline))) * 1000,
        ) / 1000,
    },
  },
  budgetRow({
    name: 'multifeed: manifest bytes per feed (wire, framing included)',
    value: bytesPerFeed,
    budget: 40,
    unit: 'B/feed',
    extra: { 'manifest bytes': manifestBytes },
  }),
])
