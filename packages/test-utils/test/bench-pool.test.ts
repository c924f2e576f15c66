// The bench runner, bench/run.mjs, running one file in several processes (bench/lib.ts
// `benchProcess`, bench/pool.mjs): each process takes its share of the rounds, and the runner
// pools the parts into one row per name. A paired row must be the median of every part's rounds
// (not the median of the parts' medians, which the fixture makes differ), any other row the
// median of the parts' scores, and a row that only some processes reported must fail the run.
// The runner runs as it is, copied into a temporary repository whose node_modules is this one's.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, type Teardown } from '@dat-sdk/test-utils'

const test = suite('bench/run.mjs pools a file run in several processes')

const root = path.resolve(import.meta.dirname, '../../..')

// Process i's per-pair ratios (ours / baseline, higher is better): pooled, the nine sort to
// 0.5 0.5 1 2 3 4 5 100 200, median 3; the parts' own medians are 2, 5 and 0.5, median 2.
const FIXTURE = `
import { benchProcess, budgetRow, pairedRow, report, share } from './lib.ts'
const ratios = { 1: [1, 2, 3], 2: [4, 5, 100], 3: [0.5, 0.5, 200] }[benchProcess.index]
if (share(9) !== ratios.length) throw new Error('share(9) is ' + share(9))
const rows = [
  pairedRow({
    name: 'paired',
    pairs: ratios.map((r) => ({ ours: r, baseline: 1 })),
    unit: 'x',
    better: 'higher',
    target: 1,
  }),
  budgetRow({ name: 'budget', value: 10 * 2 ** (benchProcess.index - 1), budget: 25, unit: 'B' }),
]
if (process.env.LONELY_ROW && benchProcess.index === 2) {
  rows.push(budgetRow({ name: 'lonely', value: 1, budget: 2, unit: 'B' }))
}
report('pool', rows)
`

interface Row {
  name: string
  ratio: number
  pass: boolean
  rule: string
  rounds?: unknown[]
  extra?: Record<string, string | number>
}

/** A repository with the runner and the fixture bench; runs it in 3 processes. */
async function run(
  t: Teardown,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; rows: Row[]; results: string[] }> {
  const repo = t.tmpDir('bench-pool')
  const bench = path.join(repo, 'bench')
  fs.mkdirSync(bench)
  for (const f of ['run.mjs', 'pool.mjs', 'lib.ts']) {
    fs.copyFileSync(path.join(root, 'bench', f), path.join(bench, f))
  }
  fs.writeFileSync(path.join(bench, 'pool.bench.ts'), FIXTURE)
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(repo, 'node_modules'), 'dir')
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(bench, 'run.mjs'), 'pool'],
      { cwd: repo, env: { ...process.env, BENCH_PROCESSES: '3', ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (err.code as number) : 0, out: stdout + stderr }),
    )
  })
  const results = path.join(bench, 'results')
  const rows = JSON.parse(fs.readFileSync(path.join(results, 'all.json'), 'utf8')) as Row[]
  return { code, out, rows, results: fs.readdirSync(results).sort() }
}

test('a paired row pools every process rounds; another row takes the median score', async () => {
  const t = teardown()
  try {
    const { code, out, rows, results } = await run(t)
    assert.is(code, 0, out)
    assert.equal(results, ['all.json', 'pool.json'], 'the parts are folded into one file')
    const paired = rows.find((r) => r.name === 'paired')!
    assert.is(paired.ratio, 3, out)
    assert.is(paired.rule, 'median of 9 per-pair ratios from 3 processes')
    assert.is(paired.rounds?.length, 9)
    assert.is(paired.extra?.['per-process scores'], '2.000 5.000 0.500')
    // Budget 25 B against 10, 20 and 40 B: scores 2.5, 1.25 and 0.625.
    const budget = rows.find((r) => r.name === 'budget')!
    assert.is(budget.ratio, 1.25, out)
    assert.match(budget.rule, /^median over 3 processes of each one's budget: <= 25 B/)
    assert.ok(budget.pass)
  } finally {
    await t.run()
  }
})

test('a row that only one of the processes reported fails the run', async () => {
  const t = teardown()
  try {
    const { code, out, rows } = await run(t, { LONELY_ROW: '1' })
    assert.is(code, 1, out)
    const lonely = rows.find((r) => r.name === 'lonely')!
    assert.is(lonely.pass, false)
    assert.match(lonely.rule, /reported by 1 of 3 processes: fails/)
    assert.match(out, /Rows that miss their target: lonely/)
  } finally {
    await t.run()
  }
})

test('a malformed BENCH_PROCESS is refused, by name', async () => {
  const t = teardown()
  try {
    const { code, out } = await run(t, { BENCH_PROCESSES: '1', BENCH_PROCESS: '4/3' })
    assert.is(code, 1, out)
    assert.match(out, /BENCH_PROCESS must be <i>\/<count> with 1 <= i <= count, not 4\/3/)
  } finally {
    await t.run()
  }
})

test.run()
