// A process killed in the middle of an atomic download leaves `<name>.<n>.localdrive.tmp` beside
// the file (issue 14). The next download pass removes it; a shared folder never uploads it.
import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { eventually, replicatePair, teardown } from '@dat-sdk/test-utils'
import { Drive } from '@dat-sdk/drive-wrapper'
import { binary, snapshotFolder, writeFiles } from './helpers.js'

const test = suite('syncFolder and the temporary files of a killed download')

/** Every name under `dir`, folders included, relative to it. */
function names(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((n) => n.split(path.sep).join('/'))
    .sort()
}

test('a download pass removes the temporary files a killed pass left, at any depth', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const writer = t.add(new Drive(storeA))
    await writer.put('/a.bin', binary(100_000, 1))
    await writer.put('/sub/b.bin', binary(50_000, 2))
    const reader = t.add(new Drive(storeB, writer.key))
    await reader.ready()
    const pair = replicatePair(storeA, storeB)
    t.add(() => pair.close())
    await reader.update({ wait: true })

    const target = t.tmpDir('leftover-down')
    fs.writeFileSync(path.join(target, '.dat'), reader.url + '\n')
    // What a SIGKILL half-way through a.bin and sub/b.bin leaves (a file with the name that was
    // never renamed, and the folder it was in).
    writeFiles(target, {
      'a.bin.0.localdrive.tmp': binary(40_000, 1),
      'sub/b.bin.0.localdrive.tmp': binary(10_000, 2),
      'sub/b.bin.1.localdrive.tmp': new Uint8Array(0),
    })

    const sync = reader.syncFolder(target, { live: false })
    const errors: Error[] = []
    sync.on('error', (err: Error) => errors.push(err))
    await sync.ready()
    await sync.close()
    assert.equal(errors, [])
    assert.equal(names(target), ['.dat', 'a.bin', 'sub', 'sub/b.bin'])
    const snapshot = snapshotFolder(target)
    assert.is(snapshot['a.bin'], Buffer.from(binary(100_000, 1)).toString('hex'))
    assert.is(snapshot['sub/b.bin'], Buffer.from(binary(50_000, 2)).toString('hex'))
  } finally {
    await t.run()
  }
})

test('a shared folder never uploads a temporary file, at start nor live', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const drive = t.add(new Drive(store))
    const dir = t.tmpDir('leftover-up')
    writeFiles(dir, {
      'a.txt': 'a',
      'a.txt.0.localdrive.tmp': 'half of a',
      'sub/b.txt.3.localdrive.tmp': 'b',
    })

    const sync = drive.syncFolder(dir)
    const synced: string[][] = []
    sync.on('synced', (r) => synced.push([...r.added, ...r.changed]))
    await sync.ready()
    // Live: a temporary file and a real file written together; the real one is the sentinel.
    writeFiles(dir, { 'c.txt.0.localdrive.tmp': 'c', 'c.txt': 'c' })
    await eventually(() => drive.entry('/c.txt'), { timeout: 20_000, message: 'c.txt uploaded' })
    const keys: string[] = []
    for await (const entry of drive.list('/', { recursive: true })) keys.push(entry.key)
    assert.equal(keys.sort(), ['/a.txt', '/c.txt'])
    assert.not.ok(
      synced.flat().some((k) => k.endsWith('.localdrive.tmp')),
      String(synced),
    )
    await sync.close()
    // The folder's own files are the user's: sharing leaves them where they are.
    assert.ok(fs.existsSync(path.join(dir, 'a.txt.0.localdrive.tmp')))
  } finally {
    await t.run()
  }
})

test.run()
