// A clone into a full disk: the sync reports FILE_UNWRITABLE with the path, the store stays
// readable, no partial file is left under its final name, and a new sync completes once there is
// room again (issue 14). The disk is a 4 MiB tmpfs the test mounts (root only; skipped otherwise).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { eventually, replicatePair, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Drive, type FileSyncError } from '@dat-sdk/drive-wrapper'
import { binary, snapshotFolder } from './helpers.js'

const test = suite('syncFolder into a full disk')

/** Mounts a tmpfs of `size` on a new temp dir (unmounted by the teardown), or says why not. */
function smallDisk(t: Teardown, size: string): string | { why: string } {
  if (process.platform !== 'linux')
    return { why: `mounting a tmpfs needs Linux, not ${process.platform}` }
  if (process.getuid?.() !== 0) return { why: 'mounting a tmpfs needs root' }
  const dir = t.tmpDir('disk-full')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' })
  } catch (err) {
    return {
      why: `mount -t tmpfs failed: ${String((err as { stderr?: unknown }).stderr ?? err).trim()}`,
    }
  }
  // Registered after tmpDir, so it runs before the directory is removed.
  t.add(() => execFileSync('umount', [dir], { stdio: 'pipe' }))
  return dir
}

const probe = teardown()
const can = smallDisk(probe, '1m')
await probe.run()
if (typeof can !== 'string') console.log(`skipping the disk-full test: ${can.why}`)
const diskTest = typeof can === 'string' ? test : test.skip

diskTest(
  'a clone that does not fit fails with FILE_UNWRITABLE and the path, then resumes when space returns',
  async () => {
    const t = teardown()
    try {
      const disk = smallDisk(t, '4m')
      assert.type(disk, 'string')
      const target = path.join(disk as string, 'copy')

      const storeA = t.add(Store.temp())
      const storeB = t.add(Store.temp())
      const writer = t.add(new Drive(storeA))
      const files: Record<string, Uint8Array> = {
        'a-small.txt': binary(10_000, 1),
        'b-big.bin': binary(6 * 1024 * 1024, 2), // more than the disk holds
        'c-small.txt': binary(20_000, 3),
      }
      for (const [name, bytes] of Object.entries(files)) await writer.put('/' + name, bytes)
      const reader = t.add(new Drive(storeB, writer.key))
      await reader.ready()
      const pair = replicatePair(storeA, storeB)
      t.add(() => pair.close())
      await reader.update({ wait: true })

      const errors: FileSyncError[] = []
      const first = reader.syncFolder(target, { live: false })
      first.on('error', (err: FileSyncError) => errors.push(err))
      await first.ready()
      await first.close()

      const full = errors.find((e) => e.path === '/b-big.bin')
      assert.ok(full, `no error for /b-big.bin: ${errors.map((e) => e.message).join('; ')}`)
      assert.is(full.code, 'FILE_UNWRITABLE')
      assert.is(full.filename, path.join(target, 'b-big.bin'))
      assert.match(full.message, path.join(target, 'b-big.bin'))
      console.log(`reported: ${full.code}: ${full.message}`)
      // No partial file under its final name, no temporary file left behind.
      assert.not.ok(fs.existsSync(path.join(target, 'b-big.bin')), 'a partial b-big.bin is visible')
      const left = fs.readdirSync(target).filter((n) => !(n in files) && n !== '.dat')
      assert.equal(left, [], 'temporary files left behind')

      // The store is still readable: the whole big file comes out of the drive.
      assert.equal(await reader.get('/b-big.bin'), Buffer.from(files['b-big.bin']))

      // Space returns: a new sync completes the folder.
      execFileSync('mount', ['-o', 'remount,size=32m', disk as string], { stdio: 'pipe' })
      const second = reader.syncFolder(target, { live: false })
      const again: FileSyncError[] = []
      second.on('error', (err: FileSyncError) => again.push(err))
      await second.ready()
      await second.close()
      assert.equal(again, [])
      await eventually(() => Object.keys(snapshotFolder(target)).length === 3)
      const snapshot = snapshotFolder(target)
      for (const [name, bytes] of Object.entries(files)) {
        assert.is(snapshot[name], Buffer.from(bytes).toString('hex'), `${name} differs`)
      }
    } finally {
      await t.run()
    }
  },
)

test.run()
