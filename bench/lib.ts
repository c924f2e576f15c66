// Shared by every benchmark: time things, run the two sides in interleaved rounds, score them by
// the median of per-pair ratios, and report rows the runner folds into one table.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** One round: our figure and the baseline's, measured back to back (order alternating). */
export interface Pair {
  ours: number
  baseline: number
}

export interface BenchRow {
  /** What was measured, e.g. 'core: append+replicate 50k x 1 KiB'. */
  name: string
  /** Our figure and the baseline's (raw Holepunch path or the original module), in `unit`. */
  ours: number
  baseline: number
  unit: string
  /** 'higher' when a bigger figure is better (throughput), 'lower' for time and bytes. */
  better: 'higher' | 'lower'
  /** The ratio that counts, oriented so that >= target passes (see `ratio()`), and its target. */
  target: number
  /**
   * How the row is scored, printed beside it: 'median of 9 per-pair ratios', 'p50 of 10,000
   * samples', 'budget: <= 40 B'. Required, so that no figure hides how it was picked.
   */
  rule: string
  /** The score when it is not ours vs baseline of the medians (a median of per-pair ratios). */
  score?: number
  /** The smallest and largest per-pair ratio, when the row is scored from pairs. */
  spread?: [number, number]
  /** Every round's figures, kept in the JSON so a reader can recompute the score. */
  rounds?: Array<Pair & { ratio: number }>
  /** Extra figures worth printing (p50, p99, bytes per feed...). */
  extra?: Record<string, number | string>
}

/** ours vs baseline as "how good are we relative to them": >1 means better than the baseline. */
export function ratio(row: Pick<BenchRow, 'ours' | 'baseline' | 'better'>): number {
  return row.better === 'higher' ? row.ours / row.baseline : row.baseline / row.ours
}

export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint()
  const value = await fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Both sides of a pair, `first` first: the order a round or a turn runs them in. */
export function sidesFrom(first: keyof Pair): [keyof Pair, keyof Pair] {
  return first === 'ours' ? ['ours', 'baseline'] : ['baseline', 'ours']
}

export interface InterleaveOptions {
  /** Scored rounds; each runs both sides back to back. */
  rounds: number
  /** Unscored rounds first (JIT, caches, first connections). Default 1. */
  warmup?: number
  /** A label for the per-round log lines. */
  label?: string
  /** How to print a figure in the log (default: rounded, with no unit). */
  unit?: string
}

/**
 * Runs `ours` and `baseline` in `rounds` pairs, alternating which goes first (ours, baseline /
 * baseline, ours / ...), so that neither always runs on a warmer or busier machine. Returns the
 * scored pairs. Each side returns its figure for the round (ms, MiB/s, ...).
 */
export async function interleave(
  opts: InterleaveOptions,
  ours: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<Pair[]> {
  const pairs: Pair[] = []
  const warmup = opts.warmup ?? 1
  for (let round = -warmup; round < opts.rounds; round++) {
    const pair: Pair = { ours: NaN, baseline: NaN }
    for (const side of sidesFrom((round + warmup) % 2 === 0 ? 'ours' : 'baseline')) {
      pair[side] = await (side === 'ours' ? ours : baseline)()
    }
    const tag = round < 0 ? 'warm-up' : `round ${round + 1}/${opts.rounds}`
    console.log(
      `${opts.label ?? 'bench'} ${tag}: ours ${fmt(pair.ours)}, baseline ${fmt(pair.baseline)}` +
        (opts.unit ? ` ${opts.unit}` : ''),
    )
    if (round >= 0) pairs.push(pair)
  }
  return pairs
}

/**
 * A row scored by the median of per-pair ratios: each round's ours/baseline pair gives one ratio
 * (oriented by `better`), and the median of those is the score. Noise on a shared machine hits
 * both sides of a pair alike far more often than it hits one, so a pair's ratio is steadier than
 * either figure; the median then drops the rounds where it hit one side only. `ours` and
 * `baseline` in the row are the medians of each side's figures, for reading.
 */
/** Each round's pair with its ratio (oriented by `better`): a row's `rounds`, kept in its JSON. */
export function roundsOf(
  pairs: Pair[],
  better: BenchRow['better'],
): Array<Pair & { ratio: number }> {
  return pairs.map((p) => ({ ...p, ratio: ratio({ ...p, better }) }))
}

export function pairedRow(
  row: Omit<BenchRow, 'ours' | 'baseline' | 'rule' | 'score' | 'spread' | 'rounds'> & {
    pairs: Pair[]
  },
): BenchRow {
  const { pairs, ...rest } = row
  const rounds = roundsOf(pairs, row.better)
  const ratios = rounds.map((r) => r.ratio)
  return {
    ...rest,
    ours: median(pairs.map((p) => p.ours)),
    baseline: median(pairs.map((p) => p.baseline)),
    rule: `median of ${pairs.length} per-pair ratios`,
    score: median(ratios),
    spread: [Math.min(...ratios), Math.max(...ratios)],
    rounds,
  }
}

/**
 * A row that holds one figure against a fixed budget (bytes, MiB...), not against a baseline:
 * it passes when the figure is at most the budget. With `scoreCap`, the score (budget / figure)
 * stops there: a row that asks "within budget?" says nothing more at 25x under it than at 10x,
 * and its figure's run-to-run drift should not read as the row's. The figure itself is printed.
 */
export function budgetRow(row: {
  name: string
  value: number
  budget: number
  unit: string
  /** How the figure was taken ('median of 11 runs'), printed in the rule. */
  taken?: string
  scoreCap?: number
  extra?: Record<string, number | string>
}): BenchRow {
  const taken = row.taken ? `, ${row.taken}` : ''
  const capped =
    row.scoreCap === undefined ? '' : `, score budget / figure capped at ${row.scoreCap}`
  return {
    name: row.name,
    ours: row.value,
    baseline: row.budget,
    unit: row.unit,
    better: 'lower',
    target: 1,
    rule: `budget: <= ${row.budget} ${row.unit}${taken}${capped}`,
    ...(row.scoreCap === undefined
      ? {}
      : { score: Math.min(row.scoreCap, row.budget / row.value) }),
    extra: row.extra,
  }
}

/** The score of a row: its median of per-pair ratios if it has one, else ours vs baseline. */
export function scoreOf(row: BenchRow): number {
  return row.score ?? ratio(row)
}

/**
 * Which of a file's processes this is, when `bench/run.mjs` runs the file in several
 * (`BENCH_PROCESS=<i>/<count>`, see its `PROCESSES`): each process takes its `share()` of the
 * file's rounds and `report()`s its rows as part `i`, and the runner pools the parts' rounds into
 * one row. A whole process can run faster or slower than the next one (JIT decisions, heap
 * layout), moving every round of it alike; pooled over processes, that shift averages out the way
 * a round's noise does over rounds. Run on its own, a file is one process of one.
 */
export const benchProcess = processOf(process.env.BENCH_PROCESS)

function processOf(spec: string | undefined): { index: number; count: number } {
  if (!spec) return { index: 1, count: 1 }
  const m = /^(\d+)\/(\d+)$/.exec(spec)
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || !(count >= 1) || !(index >= 1 && index <= count)) {
    throw new TypeError(`BENCH_PROCESS must be <i>/<count> with 1 <= i <= count, not ${spec}`)
  }
  return { index, count }
}

/** This process's share of `rounds`: all of them alone, else `rounds / count` rounded up. */
export function share(rounds: number): number {
  return Math.max(1, Math.ceil(rounds / benchProcess.count))
}

/**
 * Prints this benchmark's rows and writes them to bench/results/<file>.json (or, as one of
 * several processes, bench/results/<file>.part-<i>.json, which the runner pools), which
 * `pnpm bench` collects into one table of ratios.
 */
export function report(file: string, rows: BenchRow[]): void {
  const dir = path.join(import.meta.dirname, 'results')
  fs.mkdirSync(dir, { recursive: true })
  const scored = rows.map((r) => ({ ...r, ratio: scoreOf(r), pass: scoreOf(r) >= r.target }))
  const part = benchProcess.count > 1 ? `.part-${benchProcess.index}` : ''
  fs.writeFileSync(path.join(dir, `${file}${part}.json`), JSON.stringify(scored, null, 2) + '\n')
  for (const r of scored) {
    console.log(`\n${r.name}\n  scored by: ${r.rule}`)
    const shown: Record<string, string | number> = {
      ours: `${round(r.ours)} ${r.unit}`,
      baseline: `${round(r.baseline)} ${r.unit}`,
      ratio: round(r.ratio),
      target: `>= ${r.target}`,
      pass: r.pass ? 'yes' : 'NO',
    }
    if (r.spread) shown['ratio spread'] = `${round(r.spread[0])}..${round(r.spread[1])}`
    if (r.rounds) shown['per-round ratios'] = r.rounds.map((x) => round(x.ratio)).join(' ')
    for (const [k, v] of Object.entries({ ...shown, ...(r.extra || {}) })) {
      console.log(`  ${k}: ${v}`)
    }
  }
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000
}

function fmt(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 10) / 10) : String(n)
}

/** Samples taken in one slice on each side (a slice of round trips, say), back to back. */
export interface SlicePair {
  ours: number[]
  baseline: number[]
}

/**
 * Turns alternating slices of samples into pairs of one figure each, the `p`th percentile of each
 * side's slice, for `pairedRow`: a tail figure (p99) of all samples pooled moves with whichever
 * side a burst of load hit, while the median of per-slice ratios drops those slices.
 */
export function slicePairs(slices: SlicePair[], p: number): Pair[] {
  const at = (xs: number[]) =>
    percentile(
      [...xs].sort((x, y) => x - y),
      p,
    )
  return slices.map((s) => ({ ours: at(s.ours), baseline: at(s.baseline) }))
}

/**
 * Like `interleave`, for a round that runs both sides itself, taking turns within it (chunks of
 * work alternating, so both meet the same load): `round(first)` returns the round's pair, and
 * the rounds alternate which side starts, after `warmup` unscored ones.
 */
export async function turnRounds(
  opts: InterleaveOptions,
  round: (first: keyof Pair) => Promise<Pair>,
): Promise<Pair[]> {
  const pairs: Pair[] = []
  const warmup = opts.warmup ?? 1
  for (let i = -warmup; i < opts.rounds; i++) {
    const pair = await round((i + warmup) % 2 === 0 ? 'ours' : 'baseline')
    const tag = i < 0 ? 'warm-up' : `round ${i + 1}/${opts.rounds}`
    console.log(
      `${opts.label ?? 'bench'} ${tag}: ours ${fmt(pair.ours)}, baseline ${fmt(pair.baseline)}` +
        (opts.unit ? ` ${opts.unit}` : ''),
    )
    if (i >= 0) pairs.push(pair)
  }
  return pairs
}

/**
 * One round of two sides that each fetch the same `total` items (blocks of a core, say), taking
 * turns every `chunk` items: side A fetches [0, chunk), then side B does, then B fetches
 * [chunk, 2 * chunk) and A does, and so on, `first` starting. Returns each side's summed time in
 * ms. This machine's CPU speed drifts by 5-12% over seconds (bench/README.md, "Steady rows"), so
 * two sides timed one after the other for seconds each meet different machines; taking turns
 * every ~100 ms they meet the same one. `fetch` must fetch exactly its range (`rangeFetcher`).
 */
export async function chunkTurns(
  total: number,
  chunk: number,
  first: keyof Pair,
  fetch: Record<keyof Pair, (start: number, end: number) => Promise<void>>,
): Promise<Pair> {
  const ms: Pair = { ours: 0, baseline: 0 }
  const [, other] = sidesFrom(first)
  for (let start = 0, turn = 0; start < total; start += chunk, turn++) {
    const end = Math.min(total, start + chunk)
    for (const side of sidesFrom(turn % 2 === 0 ? first : other)) {
      ms[side] += (await time(() => fetch[side](start, end))).ms
    }
  }
  return ms
}

/** The part of a hypercore `rangeFetcher` uses. */
export interface RangeReader {
  readonly contiguousLength: number
  download(range: { start: number; end: number }): { done(): Promise<void> }
}

/**
 * A `chunkTurns` fetch for one reader of a core: downloads exactly [start, end), and fails if the
 * reader already held blocks past `start`, which would mean it fetched ahead of its turn (outside
 * its clock).
 */
export function rangeFetcher(core: RangeReader): (start: number, end: number) => Promise<void> {
  return async (start, end) => {
    const held = core.contiguousLength
    if (held !== start) throw new Error(`a reader held ${held} blocks before its turn at ${start}`)
    await core.download({ start, end }).done()
  }
}

/**
 * The files of the benches' drive of `count` files and `total` bytes: paths in 10 folders
 * (`/dir3/file-0003.bin`), sizes spread from 0.2x to 1.8x the mean in a fixed pattern that adds
 * up to `total` exactly, so every run and both sides of a row get the same shape of drive. The
 * bytes are random, made when asked.
 */
export function* benchFiles(
  count: number,
  total: number,
): Generator<{ path: string; size: number; bytes: () => Uint8Array }> {
  let sum = 0
  const mean = total / count
  for (let i = 0; i < count; i++) {
    const size =
      i === count - 1 ? total - sum : Math.round(mean * (0.2 + (1.6 * ((i * 7919) % 1000)) / 1000))
    sum += size
    yield {
      path: `/dir${i % 10}/file-${String(i).padStart(4, '0')}.bin`,
      size,
      bytes: () => crypto.randomBytes(size),
    }
  }
}
