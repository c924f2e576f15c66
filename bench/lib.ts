// Shared by every benchmark: time things, and report rows the runner folds into one table.
import fs from 'node:fs'
import path from 'node:path'

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

/**
 * Prints this benchmark's rows and writes them to bench/results/<file>.json, which
 * `pnpm bench` collects into one table of ratios.
 */
export function report(file: string, rows: BenchRow[]): void {
  const dir = path.join(import.meta.dirname, 'results')
  fs.mkdirSync(dir, { recursive: true })
  const withRatio = rows.map((r) => ({ ...r, ratio: ratio(r), pass: ratio(r) >= r.target }))
  fs.writeFileSync(path.join(dir, `${file}.json`), JSON.stringify(withRatio, null, 2) + '\n')
  console.table(
    withRatio.map((r) => ({
      benchmark: r.name,
      ours: `${round(r.ours)} ${r.unit}`,
      baseline: `${round(r.baseline)} ${r.unit}`,
      ratio: round(r.ratio),
      target: `>= ${r.target}`,
      pass: r.pass ? 'yes' : 'NO',
      ...(r.extra || {}),
    })),
  )
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
