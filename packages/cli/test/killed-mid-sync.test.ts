// Killed mid-sync (issue 14): `dat-sdk share` SIGKILLed while many files are being written into its
// folder, and `clone --live` SIGKILLed while it receives a large change. Restarted on the same
// --storage, the folder and the drive converge: no file lost or corrupt, no temporary file left.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, eventually, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Running } from './helpers/cli.js'

const test = suite('share and clone --live SIGKILLed mid-sync')

const KiB = 1024

/** Every file under `dir` but `.dat`, as `relative/path -> sha256` (temporary files included). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const name = rel.split(path.sep).join('/')
    if (name === '.dat') continue
    const st = fs.statSync(path.join(dir, rel), { throwIfNoEntry: false })
    if (!st?.isFile()) continue
    out[name] = crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(dir, rel)))
      .digest('hex')
  }
  return out
}

function temps(dir: string): string[] {
  return Object.keys(snapshot(dir)).filter((n) => n.endsWith('.localdrive.tmp'))
}

/** How many files (temporary names included) the clone has of the change. */
function changed(dir: string): number {
  return Object.keys(snapshot(dir)).filter((n) => n.startsWith('change/')).length
}

/** `count` files of `size` random bytes under `dir/<folder>/`, written one by one. */
async function writeMany(
  dir: string,
  folder: string,
  count: number,
  size: number,
  onFile?: (n: number) => Promise<void> | void,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, folder, `d${i % 4}`, `f${i}.bin`)
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    await fs.promises.writeFile(file, crypto.randomBytes(size))
    await onFile?.(i + 1)
  }
}

/** A testnet, a shared folder with a few files, and a `clone --live` of it following. */
async function setup(t: Teardown, name: string) {
  const testnet = await createTestnet(3)
  t.add(() => testnet.destroy())
  const bootstrap = ['--bootstrap', `127.0.0.1:${testnet.bootstrap[0].port}`]
  const source = t.tmpDir(`${name}-src`)
  fs.writeFileSync(path.join(source, 'hello.txt'), 'hello\n')
  await writeMany(source, 'before', 8, 32 * KiB)
  const shareStorage = t.tmpDir(`${name}-share`)
  const shareArgs = ['share', source, ...bootstrap, '--storage', shareStorage]
  const share = t.add(new Running(shareArgs))
  const [url] = await share.waitFor(/^hyper:\/\/\S+$/m)
  await share.waitFor(/^Sharing /m, 'stderr', 60_000)
  const target = path.join(t.tmpDir(`${name}-clone`), 'copy')
  const cloneArgs = [
    'clone',
    url,
    target,
    '--live',
    ...bootstrap,
    '--storage',
    t.tmpDir(`${name}-cs`),
  ]
  const clone = t.add(new Running(cloneArgs))
  await clone.waitFor(/^Following the drive/m, 'stderr', 60_000)
  assert.equal(snapshot(target), snapshot(source))
  return { url, source, target, share, shareArgs, clone, cloneArgs }
}

/** Waits until the clone's folder is the source folder, file for file and byte for byte. */
async function converged(source: string, target: string, timeout: number): Promise<number> {
  const started = Date.now()
  const want = snapshot(source)
  await eventually(
    () => {
      assert.equal(snapshot(target), want)
      return true
    },
    { timeout, interval: 200, message: 'the clone did not converge' },
  )
  return Date.now() - started
}

test('share is SIGKILLed while many files are being written; restarted, everything arrives', async () => {
  const t = teardown()
  try {
    const { url, source, target, share, shareArgs, clone } = await setup(t, 'kill-share')
    const count = 160
    let killedAt = -1
    // 160 files of 128 KiB (20 MiB) in four folders; share dies when half of them are written.
    await writeMany(source, 'change', count, 128 * KiB, async (n) => {
      if (n !== count / 2) return
      // Share is in the middle of it: the first of the new files has reached the clone.
      await eventually(() => changed(target) > 0, { timeout: 30_000, interval: 10 })
      share.child.kill('SIGKILL')
      await share.exited()
      killedAt = n
    })
    assert.is(killedAt, count / 2)
    const before = changed(target)
    console.log(
      `share SIGKILLed after ${killedAt} of ${count} files were written, ${before} of them in the clone`,
    )
    assert.ok(before < count)

    const again = t.add(new Running(shareArgs))
    assert.is((await again.waitFor(/^hyper:\/\/\S+$/m))[0], url)
    await again.waitFor(/^Sharing /m, 'stderr', 60_000)
    const took = await converged(source, target, 60_000)
    console.log(
      `clone --live converged ${took} ms after share was back: ${Object.keys(snapshot(target)).length} files`,
    )
    assert.equal(temps(target), [])
    assert.equal(temps(source), [])
    assert.not.match(clone.stderr, /^dat-sdk: /m)
  } finally {
    await t.run()
  }
})

test('clone --live is SIGKILLed while it receives a large change; restarted, it converges', async () => {
  const t = teardown()
  try {
    const { source, target, clone, cloneArgs } = await setup(t, 'kill-clone')
    const count = 120
    await writeMany(source, 'change', count, 256 * KiB)
    // Killed once the change is arriving and not yet complete (a third of its files in).
    const arrived = (): number => changed(target)
    await eventually(() => arrived() >= count / 3, { timeout: 60_000, interval: 10 })
    clone.child.kill('SIGKILL')
    await clone.exited()
    const got = arrived()
    const left = temps(target)
    console.log(
      `clone SIGKILLed with ${got} of ${count} new names in its folder; temporary files left: ${left.length}`,
    )
    assert.ok(got - left.length < count, 'the change had fully arrived before the kill')

    const again = t.add(new Running(cloneArgs))
    await again.waitFor(/^Following the drive/m, 'stderr', 60_000)
    const took = await converged(source, target, 60_000)
    console.log(`restarted clone --live converged in ${took} ms`)
    assert.equal(temps(target), [])
    assert.is((await again.stop()).code, 0)
  } finally {
    await t.run()
  }
})

test.run()
