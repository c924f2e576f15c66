#!/usr/bin/env node
// Holds full runs of `pnpm bench` against each other: for every row, each run's ratio against
// the median of the runs, and whether all of them lie within ±5% of it. Without arguments it reads
// the last three runs that `bench/run.mjs` kept in bench/results/runs/; or name the JSON files.
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
    table.push({ row: name, ratios: ratios.map((x) => x ?? '-').join(' '), steady: 'MISSING' })
    unsteady.push(name)
    continue
  }
  const mid = median(ratios)
  const worst = Math.max(...ratios.map((x) => Math.abs(x / mid - 1)))
  const steady = worst <= tolerance
  if (!steady) unsteady.push(name)
  table.push({
    row: name,
    ratios: ratios.map(r3).join(' '),
    median: r3(mid),
    'worst vs median': `${(worst * 100).toFixed(1)}%`,
    steady: steady ? 'yes' : 'NO',
  })
}
console.log(`# ${files.length} runs: ${files.map((f) => path.basename(f)).join(', ')}`)
console.table(table)
if (unsteady.length) {
  console.error(`Rows outside ±${tolerance * 100}% of their median: ${unsteady.join('; ')}`)
  process.exitCode = 1
}
