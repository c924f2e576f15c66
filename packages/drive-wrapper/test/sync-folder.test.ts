import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import {
  teardown,
  eventually,
  replicatePair,
  type Teardown,
  rejectionCode,
} from '@dat-sdk/test-utils'
import {
  Drive,
  type FileSyncError,
  type FolderSync,
  type SyncProgress,
  type SyncResult,
} from '@dat-sdk/drive-wrapper'
import { binary, snapshotFolder, writeFiles } from './helpers.js'

const test = suite('syncFolder')

/** Every file of a drive (not symlinks) as `relative/path -> hex`, like snapshotFolder(). */
async function snapshotDrive(drive: Drive): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for await (const entry of drive.list('/')) {
    if (entry.value.linkname) continue
    const bytes = await drive.get(entry.key)
    out[entry.key.slice(1)] = Buffer.from(bytes ?? new Uint8Array(0)).toString('hex')
  }
  return out
}

function record(sync: FolderSync) {
  const synced: SyncResult[] = []
  const progress: SyncProgress[] = []
  const errors: FileSyncError[] = []
  sync.on('synced', (r: SyncResult) => synced.push(r))
  sync.on('progress', (p: SyncProgress) => progress.push(p))
  sync.on('error', (err: FileSyncError) => errors.push(err))
  return { synced, progress, errors }
}

/** A writable drive syncing `dirA`, and a reader of it (replicated in process) syncing `dirB`. */
async function writerAndReader(
  t: Teardown,
  dirA: string,
  dirB: string,
  opts: { ignore?: string[] } = {},
) {
  const storeA = t.add(Store.temp())
  const storeB = t.add(Store.temp())
  const writer = t.add(new Drive(storeA))
  await writer.ready()
  const syncA = t.add(writer.syncFolder(dirA, opts))
  const a = record(syncA)
  await syncA.ready()
  const reader = t.add(new Drive(storeB, writer.key))
  await reader.ready()
  const pair = replicatePair(storeA, storeB)
  t.add(() => pair.close())
  const syncB = t.add(reader.syncFolder(dirB, opts))
  const b = record(syncB)
  await syncB.ready()
  return { writer, reader, syncA, syncB, a, b }
}

const STEP = { timeout: 15_000, interval: 50 }

test('a live folder feeds a writable drive, and the reader’s folder matches after every edit', async () => {
  const t = teardown()
  try {
    const dirA = t.tmpDir('live-a')
    const dirB = t.tmpDir('live-b')
    writeFiles(dirA, {
      'readme.txt': 'first',
      'empty.txt': '',
      'data/blob.bin': binary(70_000, 1),
      'data/nested/deep.txt': 'deep',
    })
    const { writer, reader, syncA, a, b } = await writerAndReader(t, dirA, dirB)
    assert.is(syncA.direction, 'upload')
    assert.equal(a.synced[0].added.sort(), [
      '/data/blob.bin',
      '/data/nested/deep.txt',
      '/empty.txt',
      '/readme.txt',
    ])
    assert.equal(await snapshotDrive(writer), snapshotFolder(dirA))

    const matches = (why: string) =>
      eventually(
        async () => {
          const want = snapshotFolder(dirA)
          assert.equal(await snapshotDrive(writer), want, `${why}: the drive`)
          assert.equal(snapshotFolder(dirB), want, `${why}: the reader's folder`)
          return true
        },
        { ...STEP, message: why },
      )
    await matches('the first pass')
    assert.is(reader.writable, false)
    assert.is(fs.readFileSync(path.join(dirB, '.dat'), 'utf-8').trim(), writer.url)

    fs.writeFileSync(path.join(dirA, 'added.txt'), 'a new file')
    await matches('add a file')
    fs.writeFileSync(path.join(dirA, 'readme.txt'), 'FIRST') // same size, other bytes
    await matches('change a file in place')
    fs.writeFileSync(path.join(dirA, 'data/blob.bin'), binary(5_000, 9))
    await matches('change a binary file')
    fs.unlinkSync(path.join(dirA, 'empty.txt'))
    await matches('delete a file')
    fs.renameSync(path.join(dirA, 'added.txt'), path.join(dirA, 'renamed.txt'))
    await matches('rename a file')
    fs.renameSync(path.join(dirA, 'data'), path.join(dirA, 'moved'))
    await matches('rename a folder with a nested folder inside')
    assert.not.ok(fs.existsSync(path.join(dirB, 'data')), 'the old folder is gone on the reader')
    writeFiles(dirA, { 'new/one/two/three.txt': '3', 'new/empty': '', 'new/bytes': binary(300, 3) })
    await matches('make nested folders')
    fs.rmSync(path.join(dirA, 'moved'), { recursive: true })
    await matches('delete a folder')
    assert.ok(b.synced.some((r) => r.removed.length > 0))
    assert.equal(a.errors, [])
    assert.equal(b.errors, [])
  } finally {
    await t.run()
  }
})

test('a read-only drive is written into the folder, then every change that arrives', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const writer = t.add(new Drive(storeA))
    await writer.put('/one.txt', 'one')
    await writer.put('/dir/two.bin', binary(100_000, 2))
    await writer.put('/.dat', 'a .dat inside a drive never reaches a folder')
    await writer.symlink('/escape', '../../../../etc')
    const reader = t.add(new Drive(storeB, writer.key))
    await reader.ready()
    const pair = replicatePair(storeA, storeB)
    t.add(() => pair.close())
    await reader.update({ wait: true })

    const dir = t.tmpDir('mirror')
    writeFiles(dir, { 'stray.txt': 'not in the drive' })
    const sync = t.add(reader.syncFolder(dir))
    const r = record(sync)
    await sync.ready()
    assert.is(sync.direction, 'download')
    assert.equal(snapshotFolder(dir), {
      'one.txt': Buffer.from('one').toString('hex'),
      'dir/two.bin': Buffer.from(binary(100_000, 2)).toString('hex'),
    })
    assert.equal(r.synced[0], {
      added: ['/dir/two.bin', '/one.txt'],
      changed: [],
      removed: ['/stray.txt'],
    })
    assert.is(
      fs.readFileSync(path.join(dir, '.dat'), 'utf-8').trim(),
      writer.url,
      '.dat names the drive',
    )
    assert.not.ok(fs.existsSync(path.join(dir, 'escape')), 'a symlink from a drive is never made')

    await writer.put('/one.txt', 'ONE')
    await writer.put('/three/four.txt', '4')
    await writer.del('/dir/two.bin')
    await eventually(() => {
      assert.equal(snapshotFolder(dir), {
        'one.txt': Buffer.from('ONE').toString('hex'),
        'three/four.txt': Buffer.from('4').toString('hex'),
      })
      return true
    }, STEP)
    assert.not.ok(fs.existsSync(path.join(dir, 'dir')), 'an emptied folder is removed')
    assert.equal(r.errors, [])
  } finally {
    await t.run()
  }
})

test('a reader syncing before it has heard from a peer prunes nothing, then mirrors the drive once it arrives', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const writer = t.add(new Drive(storeA))
    await writer.put('/from-writer.txt', 'hello')
    const reader = t.add(new Drive(storeB, writer.key))
    await reader.ready()
    assert.is(reader.hyperdrive.core.length, 0, 'nothing heard yet')

    const dir = t.tmpDir('early')
    writeFiles(dir, { 'stray.txt': 'not in the drive' })
    const sync = t.add(reader.syncFolder(dir))
    const r = record(sync)
    await sync.ready()
    assert.ok(fs.existsSync(path.join(dir, 'stray.txt')), 'an empty drive prunes nothing')
    assert.equal(r.synced, [{ added: [], changed: [], removed: [] }])

    const pair = replicatePair(storeA, storeB)
    t.add(() => pair.close())
    await eventually(() => {
      assert.equal(snapshotFolder(dir), {
        'from-writer.txt': Buffer.from('hello').toString('hex'),
      })
      return true
    }, STEP)
  } finally {
    await t.run()
  }
})

test('prune: false keeps what the sending side deleted', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const writer = t.add(new Drive(storeA))
    await writer.put('/keep.txt', 'kept')
    const reader = t.add(new Drive(storeB, writer.key))
    const pair = replicatePair(storeA, storeB)
    t.add(() => pair.close())
    await reader.update({ wait: true })
    const dir = t.tmpDir('noprune')
    writeFiles(dir, { 'local.txt': 'mine' })
    const sync = t.add(reader.syncFolder(dir, { prune: false }))
    await sync.ready()
    await writer.del('/keep.txt')
    await writer.put('/later.txt', 'later')
    await eventually(() => fs.existsSync(path.join(dir, 'later.txt')), STEP)
    assert.ok(fs.existsSync(path.join(dir, 'keep.txt')))
    assert.ok(fs.existsSync(path.join(dir, 'local.txt')))
  } finally {
    await t.run()
  }
})

test('reopening a folder by its .dat reopens the same writable drive and catches up on offline edits', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('reopen-store')
    const dir = t.tmpDir('reopen-folder')
    writeFiles(dir, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })

    let store = new Store(storage)
    let drive = new Drive(store, dir)
    const sync = drive.syncFolder(dir)
    await sync.ready()
    const url = drive.url
    assert.is(fs.readFileSync(path.join(dir, '.dat'), 'utf-8').trim(), url)
    await drive.close()
    assert.ok(sync.closed, 'closing a drive closes its folder syncs')
    await store.close()

    fs.writeFileSync(path.join(dir, 'a.txt'), 'A changed while closed')
    fs.unlinkSync(path.join(dir, 'b.txt'))
    fs.writeFileSync(path.join(dir, 'd.txt'), 'new while closed')

    store = t.add(new Store(storage))
    drive = t.add(new Drive(store, dir))
    await drive.ready()
    assert.is(drive.url, url, 'the same drive')
    assert.ok(drive.writable)
    const again = t.add(drive.syncFolder(dir, { live: false }))
    const r = record(again)
    await again.ready()
    assert.equal(r.synced, [{ added: ['/d.txt'], changed: ['/a.txt'], removed: ['/b.txt'] }])
    assert.equal(await snapshotDrive(drive), snapshotFolder(dir))
  } finally {
    await t.run()
  }
})

test('a writable drive synced to a folder that does not exist yet loses nothing', async () => {
  const t = teardown()
  try {
    const drive = t.add(new Drive(t.add(Store.temp())))
    await drive.put('/kept.txt', 'already in the drive')
    const dir = path.join(t.tmpDir('missing'), 'not', 'there', 'yet')
    const sync = t.add(drive.syncFolder(dir))
    const r = record(sync)
    await sync.ready()
    assert.ok(fs.existsSync(path.join(dir, '.dat')), 'the folder is made, with its .dat')
    assert.ok(await drive.exists('/kept.txt'))
    assert.equal(r.synced, [{ added: [], changed: [], removed: [] }])

    // From then on the folder is the source of truth: a new file arrives...
    fs.writeFileSync(path.join(dir, 'new.txt'), 'new')
    await eventually(() => drive.exists('/new.txt'), STEP)
    // ...and a pass over the folder as it is prunes what it lacks.
    await sync.close()
    await t.add(drive.syncFolder(dir, { live: false })).ready()
    assert.not.ok(await drive.exists('/kept.txt'))
    assert.ok(await drive.exists('/new.txt'))
  } finally {
    await t.run()
  }
})

test('a folder removed while its drive reopens does not crash the process on close', async () => {
  // localwatch 1.4.3 threw from its stream teardown, where nothing can catch it, when the folder
  // vanished before its first scan.
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const dir = t.tmpDir('vanishing')
    fs.writeFileSync(path.join(dir, 'a.txt'), 'first')
    const first = new Drive(store, dir)
    await first.syncFolder(dir).ready()
    await first.close()
    const again = t.add(new Drive(store, dir))
    const errors: unknown[] = []
    const sync = again.syncFolder(dir)
    sync.on('error', (err) => errors.push(err))
    await again.ready()
    await fs.promises.rm(dir, { recursive: true, force: true })
    await again.close()
    // The sentinel: the drive's close waits for the sync's, and the sync's for the end of its
    // watcher's stream, which comes after localwatch's teardown (where 1.4.3 threw). A throw
    // there, or later in this process, fails this file: the runner fails a file whose process
    // does not exit 0.
    assert.ok(sync.closed, 'the sync closed with its drive')
    assert.equal(errors, [], 'a folder gone during close is not an error')
  } finally {
    await t.run()
  }
})

test('a folder whose .dat names another drive is refused with INVALID_KEY', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const one = t.add(new Drive(store))
    const two = t.add(new Drive(store))
    await Promise.all([one.ready(), two.ready()])
    const dir = t.tmpDir('claimed')
    await t.add(one.syncFolder(dir, { live: false })).ready()
    const sync = t.add(two.syncFolder(dir))
    const errors: string[] = []
    sync.on('error', (err) => {
      errors.push(`${err.code} ${err.path}`)
    })
    assert.is(await rejectionCode(sync.ready()), 'INVALID_KEY')
    assert.equal(errors, ['INVALID_KEY /.dat'])
    assert.is(fs.readFileSync(path.join(dir, '.dat'), 'utf-8').trim(), one.url, '.dat is untouched')
  } finally {
    await t.run()
  }
})

test('ignore patterns and .dat never enter the drive, on the first pass or live', async () => {
  const t = teardown()
  try {
    const dirA = t.tmpDir('ignore-a')
    const dirB = t.tmpDir('ignore-b')
    writeFiles(dirA, {
      'keep.txt': 'keep',
      'notes.tmp': 'scratch',
      'node_modules/pkg/index.js': 'x',
      'src/keep.js': 'src',
      'src/build/out.js': 'built',
      'build/out.js': 'root build',
    })
    writeFiles(dirB, { 'local.tmp': 'the reader keeps its own ignored files' })
    const ignore = ['*.tmp', 'node_modules', '/build']
    const { writer, a } = await writerAndReader(t, dirA, dirB, { ignore })
    const inDrive = Object.keys(await snapshotDrive(writer)).sort()
    assert.equal(inDrive, ['keep.txt', 'src/build/out.js', 'src/keep.js'])
    assert.equal(a.errors, [])

    writeFiles(dirA, { 'live.tmp': 'no', 'node_modules/other/x.js': 'no', 'live.txt': 'yes' })
    await eventually(() => fs.existsSync(path.join(dirB, 'live.txt')), STEP)
    const after = Object.keys(await snapshotDrive(writer)).sort()
    assert.equal(after, ['keep.txt', 'live.txt', 'src/build/out.js', 'src/keep.js'])
    assert.not.ok(await writer.exists('/.dat'))
    assert.ok(fs.existsSync(path.join(dirB, 'local.tmp')), 'ignored files are not pruned either')
    assert.not.ok(fs.existsSync(path.join(dirB, 'node_modules')))
  } finally {
    await t.run()
  }
})

test('progress counts files and bytes up to the totals; synced says what changed', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('progress')
    const files: Record<string, Uint8Array> = {}
    let total = 0
    for (let i = 0; i < 20; i++) {
      files[`f${String(i).padStart(2, '0')}.bin`] = binary(1000 * (i + 1), i)
      total += 1000 * (i + 1)
    }
    writeFiles(dir, files)
    const drive = t.add(new Drive(t.add(Store.temp())))
    const sync = t.add(drive.syncFolder(dir, { live: false }))
    const r = record(sync)
    await sync.ready()
    const last = r.progress[r.progress.length - 1]
    assert.equal(last, { files: 20, bytes: total, totalFiles: 20, totalBytes: total })
    assert.equal(r.progress[0], { files: 0, bytes: 0, totalFiles: 20, totalBytes: total })
    for (let i = 1; i < r.progress.length; i++) {
      assert.ok(r.progress[i].files >= r.progress[i - 1].files)
      assert.ok(r.progress[i].bytes >= r.progress[i - 1].bytes)
    }
    assert.is(r.synced.length, 1)
    assert.is(r.synced[0].added.length, 20)

    // A second pass over an unchanged folder changes nothing and still reaches its totals.
    const again = t.add(drive.syncFolder(dir, { live: false }))
    const r2 = record(again)
    await again.ready()
    assert.equal(r2.synced, [{ added: [], changed: [], removed: [] }])
    assert.equal(r2.progress[r2.progress.length - 1], last)
  } finally {
    await t.run()
  }
})

test('a file that cannot be read (a FIFO) is an error naming it, and the rest still syncs', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('fifo')
    writeFiles(dir, { 'a.txt': 'a', 'z.txt': 'z' })
    execFileSync('mkfifo', [path.join(dir, 'pipe')])
    const drive = t.add(new Drive(t.add(Store.temp())))
    const sync = t.add(drive.syncFolder(dir))
    const r = record(sync)
    await sync.ready()
    assert.is(r.errors.length, 1)
    assert.is(r.errors[0].code, 'FILE_UNREADABLE')
    assert.is(r.errors[0].path, '/pipe')
    assert.is(r.errors[0].filename, path.join(dir, 'pipe'))
    assert.equal(Object.keys(await snapshotDrive(drive)).sort(), ['a.txt', 'z.txt'])

    // Live too: a new FIFO is reported, a new file arrives.
    execFileSync('mkfifo', [path.join(dir, 'pipe2')])
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b')
    await eventually(() => r.errors.some((e) => e.path === '/pipe2'), STEP)
    await eventually(() => drive.exists('/b.txt'), STEP)
  } finally {
    await t.run()
  }
})

test('without an error listener a bad file does not take the process down', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('nolistener')
    writeFiles(dir, { 'ok.txt': 'ok' })
    execFileSync('mkfifo', [path.join(dir, 'pipe')])
    const drive = t.add(new Drive(t.add(Store.temp())))
    const sync = t.add(drive.syncFolder(dir, { live: false }))
    await sync.ready()
    assert.ok(await drive.exists('/ok.txt'))
  } finally {
    await t.run()
  }
})

test('close() stops a first pass that waits for blocks no peer can send', async () => {
  const t = teardown()
  try {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const writer = t.add(new Drive(storeA))
    await writer.put('/big.bin', binary(2_000_000, 4))
    const reader = t.add(new Drive(storeB, writer.key))
    const pair = replicatePair(storeA, storeB)
    await reader.update({ wait: true })
    assert.ok(await reader.entry('/big.bin'), 'the reader knows the file')
    await pair.close() // ...but can no longer fetch its bytes

    const dir = t.tmpDir('stuck')
    const sync = reader.syncFolder(dir)
    sync.on('error', () => {})
    const opened = sync.ready().then(
      () => 'opened',
      (err: { code?: string }) => err.code,
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const started = Date.now()
    await sync.close()
    assert.ok(Date.now() - started < 3_000, 'close() does not wait for the network')
    assert.is(await opened, 'CLOSED')
  } finally {
    await t.run()
  }
})

test.run()
