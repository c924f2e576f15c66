#!/usr/bin/env node
// Runs every package's uvu suites (`packages/*/test/*.test.ts`) and every example's
// (`examples/*/test/*.test.ts`), one child process per test file, with the package's or example's
// folder as its working directory, and prints one closing line
// `N passed, N failed[, N skipped]`. A file fails when a test fails, when it crashes, when it runs
// no test, when a test of it neither passed nor failed (uvu swallows an exception thrown in a
// `before` hook, skips the suite's tests and exits 0), when it leaves a temporary directory behind,
// or when its process does not exit on its own after the last test (a leaked handle: something was
// not closed).
// Usage: node scripts/test.mjs [package-or-file-filter ...]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const FILE_TIMEOUT = Number(process.env.TEST_FILE_TIMEOUT_MS || 300_000)
const EXIT_GRACE = 5_000
const TMP_PREFIX = 'dat-sdk-' // test-utils' dirs and Store.temp() dirs alike
const filters = process.argv.slice(2)

const files = []
for (const parent of ['packages', 'examples']) {
  if (!fs.existsSync(path.join(root, parent))) continue
  for (const name of fs.readdirSync(path.join(root, parent)).sort()) {
    const dir = path.join(root, parent, name, 'test')
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith('.test.ts')) continue
      const rel = `${parent}/${name}/test/${f}`
      if (filters.length && !filters.some((x) => rel.includes(x))) continue
      files.push({ cwd: `${parent}/${name}`, rel })
    }
  }
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '')
// Each run gets its own TMPDIR, so a run only judges (and removes) what its own tests left behind,
// even while another run is going on the same machine.
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dat-sdk-run-'))
const tmpLeftovers = () => new Set(fs.readdirSync(runTmp).filter((n) => n.startsWith(TMP_PREFIX)))

function runFile({ cwd, rel }) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, rel)], {
      cwd: path.join(root, cwd),
      env: { ...process.env, FORCE_COLOR: '0', TMPDIR: runTmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let summaryAt = 0
    let verdict = null
    const onData = (d) => {
      out += d
      if (!summaryAt && /Duration:/.test(strip(out))) {
        summaryAt = Date.now()
        setTimeout(() => {
          if (child.exitCode === null) {
            verdict = `did not exit within ${EXIT_GRACE / 1000}s of its last test (a handle was left open)`
            child.kill('SIGKILL')
          }
        }, EXIT_GRACE).unref()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const timer = setTimeout(() => {
      verdict = `timed out after ${FILE_TIMEOUT / 1000}s`
      child.kill('SIGKILL')
    }, FILE_TIMEOUT)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const text = strip(out)
      // uvu's summary closes its output: the last match, not a test's own output that quotes one.
      const num = (label) => {
        const all = [...text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)$`, 'gm'))]
        return all.length ? Number(all[all.length - 1][1]) : 0
      }
      // uvu's Total counts the tests it meant to run; skipped ones are outside it.
      const total = num('Total')
      const passed = num('Passed')
      const skipped = num('Skipped')
      let failed = Math.max(0, total - passed)
      if (!verdict && total === 0 && skipped === 0) verdict = 'ran no test'
      if (!verdict && code !== 0 && failed === 0) verdict = `exited with ${signal || code}`
      // A failing test makes uvu exit 1; a test that did not pass while uvu exits 0 never ran,
      // which is what a throwing `before` hook does (uvu prints nothing about it).
      if (verdict) failed += 1
      else if (code === 0 && failed > 0)
        verdict = `${failed} of ${total} tests did not run and uvu exited 0 (did a before hook throw?)`
      resolve({ rel, passed, failed, skipped, verdict, text, ms: Date.now() - started })
    })
  })
}

const before = tmpLeftovers()
let passed = 0
let failed = 0
let skipped = 0
for (const f of files) {
  const r = await runFile(f)
  passed += r.passed
  failed += r.failed
  skipped += r.skipped
  const status = r.failed ? 'FAIL' : 'ok  '
  console.log(
    `${status} ${r.rel}  ${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ''}  (${(r.ms / 1000).toFixed(1)}s)`,
  )
  if (r.failed) {
    console.log(
      r.text
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n'),
    )
    if (r.verdict) console.log(`    -> ${r.verdict}`)
  }
}
const leaked = [...tmpLeftovers()].filter((n) => !before.has(n))
if (leaked.length) {
  failed += 1
  console.log(`FAIL temporary directories left behind: ${leaked.join(', ')}`)
}
fs.rmSync(runTmp, { recursive: true, force: true })
if (files.length === 0) {
  failed += 1
  console.log('FAIL no test files found')
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exitCode = failed || passed === 0 ? 1 : 0
