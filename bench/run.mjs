#!/usr/bin/env node
// Runs every bench/*.bench.ts in its own process, one after another, then prints one table of
// ratios (ours against the raw Holepunch path or the original module, measured in the same run)
// and writes bench/results/all.json. `node bench/run.mjs gossip` runs only matching files.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

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
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, f)], {
    stdio: 'inherit',
  })
  if (r.status !== 0) failed.push(f)
}
const rows = []
if (fs.existsSync(results)) {
  for (const f of fs.readdirSync(results).sort()) {
    if (f === 'all.json' || fs.statSync(path.join(results, f)).mtimeMs < started) continue
    for (const row of JSON.parse(fs.readFileSync(path.join(results, f), 'utf8')))
      rows.push({ file: f, ...row })
  }
}
console.log('\n# All benchmarks: ratio = how we compare with the baseline (>= target passes)')
console.table(
  rows.map((r) => ({
    benchmark: r.name,
    ratio: Math.round(r.ratio * 1000) / 1000,
    target: `>= ${r.target}`,
    pass: r.pass ? 'yes' : 'NO',
  })),
)
fs.mkdirSync(results, { recursive: true })
fs.writeFileSync(path.join(results, 'all.json'), JSON.stringify(rows, null, 2) + '\n')
if (failed.length) {
  console.error(`Benchmarks that crashed: ${failed.join(', ')}`)
  process.exitCode = 1
}
