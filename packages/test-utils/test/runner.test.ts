// The root runner, scripts/test.mjs, on test files made for it: it must count what uvu reports
// honestly (uvu's Total leaves skipped tests out) and fail a file whose `before` hook throws (uvu
// swallows that exception, skips the suite's tests and exits 0). The runner runs as it is, copied
// into a temporary repository whose node_modules is this one's (for uvu and tsx).
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, type Teardown } from '@dat-sdk/test-utils'

const test = suite('scripts/test.mjs counts honestly')

const root = path.resolve(import.meta.dirname, '../../..')

const FIXTURES: Record<string, string> = {
  'passing.test.ts': `
import { test } from 'uvu'
import * as assert from 'uvu/assert'
test('passes', () => assert.ok(true))
test.run()
`,
  'hook-throws.test.ts': `
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
const test = suite('a before hook that throws')
test.before(() => {
  throw new Error('the hook broke')
})
test('would pass', () => assert.ok(true))
test.skip('skipped', () => assert.ok(true))
test.run()
`,
  'two-fail-one-skipped.test.ts': `
import { test } from 'uvu'
import * as assert from 'uvu/assert'
test('fails once', () => assert.ok(false))
test('fails twice', () => assert.ok(false))
test.skip('skipped', () => assert.ok(true))
test('passes', () => assert.ok(true))
test.run()
`,
  'skips-one.test.ts': `
import { test } from 'uvu'
import * as assert from 'uvu/assert'
test('passes', () => assert.ok(true))
test.skip('skipped', () => assert.ok(true))
test.run()
`,
}

interface Run {
  code: number | null
  stdout: string
  closing: { passed: number; failed: number; skipped: number }
  /** The runner's line for each file: `ok` or `FAIL`, with its counts. */
  lines: Map<string, string>
}

/** A repository with scripts/test.mjs and the fixtures named in `files`, run with `filters`. */
async function runner(t: Teardown, files: string[], filters: string[] = []): Promise<Run> {
  const repo = t.tmpDir('runner')
  fs.mkdirSync(path.join(repo, 'scripts'))
  fs.copyFileSync(path.join(root, 'scripts', 'test.mjs'), path.join(repo, 'scripts', 'test.mjs'))
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(repo, 'node_modules'), 'dir')
  const testDir = path.join(repo, 'packages', 'demo', 'test')
  fs.mkdirSync(testDir, { recursive: true })
  for (const name of files) fs.writeFileSync(path.join(testDir, name), FIXTURES[name])
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(repo, 'scripts', 'test.mjs'), ...filters],
      { cwd: repo, env: { ...process.env, FORCE_COLOR: '0' } },
      (err, stdout) => resolve({ code: err ? (err.code as number) : 0, stdout }),
    )
  })
  const m = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(stdout)
  assert.ok(m, `no closing line in:\n${stdout}`)
  const lines = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const f = /^(ok|FAIL)\s+packages\/demo\/test\/(\S+)\s+(.*)$/.exec(line)
    if (f) lines.set(f[2], `${f[1]} ${f[3].replace(/\s+\(\d+\.\ds\)$/, '')}`)
  }
  return {
    code,
    stdout,
    closing: { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) },
    lines,
  }
}

test('a file whose before hook throws fails the run, beside a passing file', async () => {
  const t = teardown()
  try {
    const run = await runner(t, ['passing.test.ts', 'hook-throws.test.ts'])
    assert.is(run.code, 1, run.stdout)
    assert.is(run.lines.get('passing.test.ts'), 'ok 1 passed', run.stdout)
    assert.is(run.lines.get('hook-throws.test.ts'), 'FAIL 0 passed, 1 skipped', run.stdout)
    assert.match(run.stdout, /did not run and uvu exited 0/)
    assert.equal(run.closing, { passed: 1, failed: 1, skipped: 1 }, run.stdout)
  } finally {
    await t.run()
  }
})

test('skipped tests are counted once: two failures beside a skip are two failures', async () => {
  const t = teardown()
  try {
    const run = await runner(t, ['two-fail-one-skipped.test.ts', 'skips-one.test.ts'])
    assert.is(run.code, 1, run.stdout)
    assert.is(run.lines.get('two-fail-one-skipped.test.ts'), 'FAIL 1 passed, 1 skipped')
    assert.is(run.lines.get('skips-one.test.ts'), 'ok 1 passed, 1 skipped')
    assert.equal(run.closing, { passed: 2, failed: 2, skipped: 2 }, run.stdout)
  } finally {
    await t.run()
  }
})

test('a run of passing files, one with a skip, passes and says so on its last line', async () => {
  const t = teardown()
  try {
    const run = await runner(t, ['passing.test.ts', 'skips-one.test.ts'])
    assert.is(run.code, 0, run.stdout)
    assert.equal(run.closing, { passed: 2, failed: 0, skipped: 1 }, run.stdout)
    assert.match(run.stdout, /\n2 passed, 0 failed, 1 skipped\n$/)
  } finally {
    await t.run()
  }
})

test.run()
