// Gossip: N peers in a ring (N = 8 and 32) over in-process replication streams, each advertising
// 50 keys; the time and the bytes sent until every peer lists every key. Ours against the
// published dat-gossip@1.0.0 on the same topology in the same run (alternating rounds), and
// against the lower bound: each key delivered once to each peer, in one message per peer.
//
// Bytes are counted identically for both: what each side hands the host's extension (`send` once
// per message, `broadcast` once per peer), which is the JSON text on the wire for both.
import { createRequire } from 'node:module'
import path from 'node:path'
import { median, report, roundsOf, time, type BenchRow } from './lib.ts'
import { teardown } from '../packages/test-utils/dist/index.js'
import { Gossip } from '../packages/gossip/dist/index.js'
import { encodedLength } from '../packages/gossip/src/messages.ts'
import {
  makeNodes,
  link,
  countingHost,
  peerOpenShim,
  key,
  type Traffic,
} from '../packages/gossip/test/fixtures.ts'

const require = createRequire(path.join(import.meta.dirname, '../packages/gossip/package.json'))
const datGossip = require('dat-gossip') as (core: object) => {
  advertise(key: Buffer, broadcast?: boolean): boolean
  keys: Set<string>
  on(event: 'found', fn: () => void): void
  close(): void
}

const KEYS_PER_PEER = 50
// dat-gossip re-broadcasts its whole set on every message that lacks one of its keys, so on a
// large ring its traffic grows exponentially until the sets meet (on a ring of 32 it had sent
// gigabytes and held 13 GB of buffers after ten minutes). Past this cap it is stopped, and what
// it sent by then is reported: a lower bound of its real figure, so our ratio is understated.
const BASELINE_CAP_MS = 5_000
const BASELINE_CAP_BYTES = 200e6
const OURS_TIMEOUT_MS = 60_000

interface Outcome {
  ms: number
  bytes: number
  messages: number
  converged: boolean
}

type Kind = 'ours' | 'dat-gossip'

/** Builds the ring, waits until every peer holds every key (or the cap), and tears it all down. */
async function ring(kind: Kind, n: number): Promise<Outcome> {
  const t = teardown()
  let watchdog: NodeJS.Timeout | undefined
  try {
    const nodes = await makeNodes(t, n)
    const traffic: Traffic = { messages: 0, bytes: 0 }
    const total = n * KEYS_PER_PEER
    let complete = 0
    let done: (converged: boolean) => void = () => {}
    const converged = new Promise<boolean>((resolve) => (done = resolve))
    nodes.forEach((node, i) => {
      const host = countingHost(node.core, traffic)
      let finished = false
      const progress = (size: number) => {
        if (finished || size < total) return
        finished = true
        if (++complete === n) done(true)
      }
      if (kind === 'ours') {
        const g = t.add(new Gossip(host))
        g.on('change', (list) => progress(list.length))
        for (let j = 0; j < KEYS_PER_PEER; j++) g.advertise(key(`peer${i}`, j))
      } else {
        peerOpenShim(node.core)
        const g = datGossip(host)
        t.add(() => g.close())
        g.on('found', () => progress(g.keys.size))
        for (let j = 0; j < KEYS_PER_PEER; j++) g.advertise(Buffer.from(key(`peer${i}`, j)))
      }
    })
    await new Promise((resolve) => setImmediate(resolve))
    if (kind === 'dat-gossip') {
      traffic.deadline = Date.now() + BASELINE_CAP_MS
      traffic.maxBytes = BASELINE_CAP_BYTES
      traffic.onstop = () => done(false)
    } else {
      watchdog = setTimeout(() => done(false), OURS_TIMEOUT_MS)
    }
    const { ms, value } = await time(async () => {
      for (let i = 0; i < n; i++) link(t, nodes[i], nodes[(i + 1) % n])
      return converged
    })
    if (kind === 'ours' && !value) throw new Error(`ours: no convergence in ${OURS_TIMEOUT_MS} ms`)
    return { ms, bytes: traffic.bytes, messages: traffic.messages, converged: value }
  } finally {
    clearTimeout(watchdog)
    await t.run()
  }
}

const rows: BenchRow[] = []
for (const [n, rounds] of [
  [8, 5],
  [32, 3],
] as const) {
  const runs: Record<Kind, Outcome[]> = { ours: [], 'dat-gossip': [] }
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first, to even out warm-up and noise.
    const order: Kind[] = r % 2 === 0 ? ['ours', 'dat-gossip'] : ['dat-gossip', 'ours']
    for (const kind of order) {
      const outcome = await ring(kind, n)
      runs[kind].push(outcome)
      console.log(`ring of ${n}, round ${r + 1}, ${kind}:`, outcome)
    }
  }
  const ours = {
    ms: median(runs.ours.map((o) => o.ms)),
    bytes: median(runs.ours.map((o) => o.bytes)),
    messages: median(runs.ours.map((o) => o.messages)),
  }
  const stopped = runs['dat-gossip'].filter((o) => !o.converged).length
  const theirsConverged = stopped === 0 ? 'yes' : `stopped at the cap in ${stopped}/${rounds}`
  const theirs = {
    ms: median(runs['dat-gossip'].map((o) => o.ms)),
    bytes: median(runs['dat-gossip'].map((o) => o.bytes)),
    messages: median(runs['dat-gossip'].map((o) => o.messages)),
  }
  const lowerBound = n * encodedLength((n - 1) * KEYS_PER_PEER, 0)
  const label = `ring of ${n} x ${KEYS_PER_PEER} keys`
  // Every round's figures, kept in the JSON (the rows are scored by the medians above).
  const perRound = (figure: (o: Outcome) => number, baseline?: number) =>
    roundsOf(
      runs.ours.map((o, i) => ({
        ours: figure(o),
        baseline: baseline ?? figure(runs['dat-gossip'][i]),
      })),
      'lower',
    )
  rows.push(
    {
      name: `gossip: bytes to converge vs dat-gossip@1.0.0, ${label}`,
      ours: ours.bytes,
      baseline: theirs.bytes,
      unit: 'B',
      better: 'lower',
      target: 2,
      rule: `median bytes of ${rounds} rounds per side (rounds alternate)`,
      rounds: perRound((o) => o.bytes),
      extra: {
        'msgs ours': ours.messages,
        'msgs theirs': theirs.messages,
        'theirs converged': theirsConverged,
      },
    },
    {
      name: `gossip: bytes to converge vs the lower bound, ${label}`,
      ours: ours.bytes,
      baseline: lowerBound,
      unit: 'B',
      better: 'lower',
      target: 0.667,
      rule: `median bytes of ${rounds} rounds against a computed lower bound`,
      rounds: perRound((o) => o.bytes, lowerBound),
      extra: { 'key deliveries': Math.round(ours.bytes / 67), needed: n * (n - 1) * KEYS_PER_PEER },
    },
    {
      name: `gossip: time to converge vs dat-gossip@1.0.0, ${label}`,
      ours: ours.ms,
      baseline: theirs.ms,
      unit: 'ms',
      better: 'lower',
      target: 1,
      rule: `median time of ${rounds} rounds per side (rounds alternate)`,
      rounds: perRound((o) => o.ms),
      extra: {
        'ours min..max': `${Math.round(Math.min(...runs.ours.map((o) => o.ms)))}..${Math.round(Math.max(...runs.ours.map((o) => o.ms)))}`,
        'theirs min..max': `${Math.round(Math.min(...runs['dat-gossip'].map((o) => o.ms)))}..${Math.round(Math.max(...runs['dat-gossip'].map((o) => o.ms)))}`,
        'theirs converged': theirsConverged,
      },
    },
  )
}
report('gossip', rows)
