#!/usr/bin/env node
// Holds full runs of `pnpm bench` against each other: for every row, each run's ratio against
// the median of the runs, and whether all of them lie within ±5% of it. Beside it, for a row
// scored by a median of per-pair ratios, how far its rounds alone would move that median from
// run to run (about 1.25 σ/√n of the log ratios, σ their spread within a run, averaged over the
// runs):
// a row that strays much further than that moved with its whole run, which more rounds in the
// same run do not average out. Without arguments it reads the last three runs that
// `bench/run.mjs` kept in bench/results/runs/; or name the JSON files.
// Exits non-zero when a row strays further, or appears in some runs only.
//   node bench/steadiness.mjs [--tolerance 0.05] [run.json ...]
import fs from 'node:fs'
import path from 'node:path'
import { median } from './pool.mjs'

const args = process.argv.slice(2)
let tolerance = 0.05
const at = args.indexOf('--tolerance')
if (at !== -1) {
  tolerance = Number(args[at + 1])
  args.splice(at, 2)
  if (!(tolerance > 0)) throw new TypeError('--tolerance takes a fraction above 0, e.g. 0.05')
}
const runsDir = path.join(import.meta.dirname, 'results', 'runs')
const files = args.length
  ? args
  : fs.existsSync(runsDir)
    ? fs
        .readdirSync(runsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .slice(-3)
        .map((f) => path.join(runsDir, f))
    : []
if (files.length < 2) {
  console.error('Need at least two full runs: run `pnpm bench` (no filter) a few times first.')
  process.exit(2)
}

const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')))
const names = [...new Set(runs.flatMap((rows) => rows.map((r) => r.name)))]
const r3 = (n) => Math.round(n * 1000) / 1000
const table = []
const unsteady = []
for (const name of names) {
  const ratios = runs.map((rows) => rows.find((r) => r.name === name)?.ratio)
  if (ratios.some((x) => typeof x !== 'number')) {
    table.push({
      row: name,
      ratios: ratios.map((x) => (typeof x === 'number' ? r3(x) : '-')).join(' '),
      steady: 'MISSING',
    })
    unsteady.push(name)
    continue
  }
  const mid = median(ratios)
  const worst = Math.max(...ratios.map((x) => Math.abs(x / mid - 1)))
  const steady = worst <= tolerance
  if (!steady) unsteady.push(name)
  const noise = roundsNoise(runs.map((rows) => rows.find((r) => r.name === name)?.rounds))
  table.push({
    row: name,
    ratios: ratios.map(r3).join(' '),
    median: r3(mid),
    'worst vs median': `${(worst * 100).toFixed(1)}%`,
    'rounds alone (sd)': noise === null ? '-' : `${(noise * 100).toFixed(1)}%`,
    steady: steady ? 'yes' : 'NO',
  })
}
/**
 * How much a row's rounds alone move its median from run to run: 1.25 σ/√n of the log per-pair
 * ratios, averaged over the runs that kept them (null when none did, or a run kept fewer than 3).
 */
function roundsNoise(perRun) {
  const sds = []
  for (const rounds of perRun) {
    const logs = (rounds ?? []).map((r) => Math.log(r.ratio)).filter(Number.isFinite)
    if (logs.length < 3) continue
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (logs.length - 1))
    sds.push((1.25 * sd) / Math.sqrt(logs.length))
  }
  return sds.length ? sds.reduce((a, b) => a + b, 0) / sds.length : null
}

console.log(`# ${files.length} runs: ${files.map((f) => path.basename(f)).join(', ')}`)
// One line a row, the row's name last (names run long): steady, worst vs median, rounds alone, the
// median, the runs' ratios.
const cols = ['steady', 'worst vs median', 'rounds alone (sd)', 'median', 'ratios']
const width = (c) => Math.max(c.length, ...table.map((t) => String(t[c] ?? '').length))
const line = (t) => cols.map((c) => String(t[c] ?? '').padEnd(width(c))).join('  ') + '  ' + t.row
console.log(line(Object.fromEntries([...cols, 'row'].map((c) => [c, c]))))
for (const t of table) console.log(line(t))
if (unsteady.length) {
  console.error(`Rows outside ±${tolerance * 100}% of their median: ${unsteady.join('; ')}`)
  process.exitCode = 1
}
