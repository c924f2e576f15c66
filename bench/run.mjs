#!/usr/bin/env node
// Runs every bench/*.bench.ts in its own process, one after another, then prints one table of
// ratios (ours against the raw Holepunch path or the original module, measured in the same run)
// and writes bench/results/all.json. `node bench/run.mjs gossip` runs only matching files.
// Exits non-zero when a benchmark crashes or a row misses its target.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pool } from './pool.mjs'

/**
 * Files run in several processes, each with its share of the rounds, their rows pooled
 * (bench/lib.ts `benchProcess`, bench/pool.mjs). These are files whose sides both run in the
 * bench's own process, and whose rows moved from run to run by a shift of that whole process
 * (bench/README.md, "Steady rows"). `BENCH_PROCESSES=1` runs every file in one process.
 */
const PROCESSES = { 'core.bench.ts': 3, 'gateway.bench.ts': 6 }
const processesOf = (f) => Number(process.env.BENCH_PROCESSES || PROCESSES[f] || 1)

const dir = import.meta.dirname
const filters = process.argv.slice(2)
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .sort()
const results = path.join(dir, 'results')
// Only this run's results make the table: a filtered run leaves the others' files alone.
const started = Date.now()
const failed = []
for (const f of files) {
  console.log(`\n## ${f}`)
  const fileStarted = Date.now()
  const count = processesOf(f)
  for (let i = 1; i <= count; i++) {
    if (count > 1) console.log(`\n### ${f}: process ${i} of ${count}`)
    const env = count > 1 ? { ...process.env, BENCH_PROCESS: `${i}/${count}` } : process.env
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, f)], {
      stdio: 'inherit',
      env,
    })
    if (r.status !== 0) failed.push(count > 1 ? `${f} (process ${i})` : f)
  }
  console.log(`(${f}: ${Math.round((Date.now() - fileStarted) / 1000)} s)`)
}
const rows = []
if (fs.existsSync(results)) {
  // This run's files: <file>.json, or <file>.part-<i>.json from a file run in several processes,
  // pooled here into <file>.json.
  const fresh = fs
    .readdirSync(results)
    .filter((f) => f.endsWith('.json') && f !== 'all.json')
    .filter((f) => fs.statSync(path.join(results, f)).mtimeMs >= started)
    .sort()
  const byFile = new Map()
  for (const f of fresh) {
    const base = f.replace(/\.part-\d+\.json$/, '.json')
    if (!byFile.has(base)) byFile.set(base, [])
    byFile.get(base).push(JSON.parse(fs.readFileSync(path.join(results, f), 'utf8')))
    if (base !== f) fs.rmSync(path.join(results, f))
  }
  for (const [f, parts] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const pooled = pool(parts)
    if (parts.length > 1) {
      fs.writeFileSync(path.join(results, f), JSON.stringify(pooled, null, 2) + '\n')
    }
    for (const row of pooled) rows.push({ file: f, ...row })
  }
}
const r3 = (n) => Math.round(n * 1000) / 1000
console.log('\n# All benchmarks: ratio = how we compare with the baseline (>= target passes)')
console.table(
  rows.map((r) => ({
    benchmark: r.name,
    ratio: r3(r.ratio),
    target: `>= ${r.target}`,
    pass: r.pass ? 'yes' : 'NO',
    'scored by': r.rule ?? '(no rule given)',
    spread: r.spread ? `${r3(r.spread[0])}..${r3(r.spread[1])}` : '',
  })),
)
fs.mkdirSync(results, { recursive: true })
fs.writeFileSync(path.join(results, 'all.json'), JSON.stringify(rows, null, 2) + '\n')
// A full run is also kept under its start time, so `node bench/steadiness.mjs` can hold the last
// three full runs against each other.
if (!filters.length) {
  const runs = path.join(results, 'runs')
  fs.mkdirSync(runs, { recursive: true })
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-')
  fs.writeFileSync(path.join(runs, `${stamp}.json`), JSON.stringify(rows, null, 2) + '\n')
}
if (failed.length) {
  console.error(`Benchmarks that crashed: ${failed.join(', ')}`)
  process.exitCode = 1
}
// A row without a scoring rule counts as a miss: every figure says how it was picked.
const missed = rows.filter((r) => !r.pass || !r.rule)
if (missed.length) {
  console.error(`Rows that miss their target: ${missed.map((r) => r.name).join('; ')}`)
  process.exitCode = 1
}
