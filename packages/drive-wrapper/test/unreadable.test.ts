import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { teardown, type Teardown } from '@dat-sdk/test-utils'
import { writeFiles } from './helpers.js'

const test = suite('syncFolder with an unreadable file')

const NOBODY = 65534
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'unreadable-child.ts')

/**
 * Root reads a chmod 000 file, so the check runs as `nobody`, which must be able to reach this
 * checkout (a clone under a 0700 folder, such as a fresh `mktemp -d`, is out of its reach). Where
 * it cannot, the test is skipped and says why, rather than testing nothing.
 */
function unprivilegedRunner(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: true }
  const tsx = createRequire(import.meta.url).resolve('tsx')
  const probe = spawnSync(
    process.execPath,
    ['-e', 'for (const f of process.argv.slice(1)) require("fs").accessSync(f, 4)', FIXTURE, tsx],
    { uid: NOBODY, gid: NOBODY, stdio: 'ignore' },
  )
  if (probe.status === 0) return { ok: true }
  return { ok: false, why: `user nobody cannot read this checkout (${path.dirname(FIXTURE)})` }
}
const runner = unprivilegedRunner()
if (!runner.ok) console.log(`skipping the permissions test: ${runner.why}`)
const permissionsTest = runner.ok ? test : test.skip

function chownTree(dir: string, uid: number): void {
  fs.chownSync(dir, uid, uid)
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, d.name)
    if (d.isDirectory()) chownTree(child, uid)
    else fs.chownSync(child, uid, uid)
  }
}

/**
 * Runs the fixture; as root, drops to `nobody`, for whom chmod 000 really stops a read. `nobody`
 * gets its own TMPDIR (tsx keeps a cache there) and, for the length of the test, the right to
 * pass through the run's temporary directory (search only: it cannot list it).
 */
function runChild(t: Teardown, dir: string, storage: string): Promise<string> {
  const root = process.getuid?.() === 0
  const env = { ...process.env }
  if (root) {
    const base = os.tmpdir()
    const mode = fs.statSync(base).mode & 0o7777
    if ((mode & 0o001) === 0) {
      fs.chmodSync(base, mode | 0o001)
      t.add(() => fs.chmodSync(base, mode))
    }
    const childTmp = t.tmpDir('unreadable-child-tmp')
    env.TMPDIR = childTmp
    for (const d of [dir, storage, childTmp]) chownTree(d, NOBODY)
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, storage], {
      cwd: path.join(import.meta.dirname, '..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(root ? { uid: NOBODY, gid: NOBODY } : {}),
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(out.trim().split('\n').pop() ?? '')
      else reject(new Error(`the child exited with ${code}: ${err}`))
    })
  })
}

permissionsTest(
  'a file that cannot be read (permissions) is an error naming it; the rest syncs, the drive keeps the old version',
  async () => {
    const t = teardown()
    try {
      const dir = t.tmpDir('unreadable')
      const storage = t.tmpDir('unreadable-store')
      const files: Record<string, string> = {}
      for (let i = 0; i < 9; i++) files[`file-${i}.txt`] = `version one of ${i}`
      writeFiles(dir, files)
      const result = JSON.parse(await runChild(t, dir, storage))
      assert.is.not(result.uid, 0, 'the check runs unprivileged')
      const secret: string = result.secret
      assert.equal(result.errors, [
        { code: 'FILE_UNREADABLE', path: '/' + secret, cause: 'EACCES' },
      ])
      assert.is(result.contents[secret], result.before, 'the drive keeps the version it had')
      assert.ok(result.before.startsWith('version one'))
      for (const name of result.names as string[]) {
        if (name === secret) continue
        // Files listed before the unreadable one were copied in the same mirror run that then
        // failed; those after it, in the run that went on without it. Both must be there.
        assert.is(result.contents[name], `${name} changed, and longer`, name)
      }
      assert.is(result.contents['new.txt'], 'new')
      const others = (result.names as string[]).filter((n) => n !== secret).map((n) => '/' + n)
      assert.equal(result.synced, [{ added: ['/new.txt'], changed: others.sort(), removed: [] }])
    } finally {
      await t.run()
    }
  },
)

test.run()
