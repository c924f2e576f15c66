// Runs the photo-share example as its README does, on a loopback testnet: the author shares a
// folder of photos (small BMPs made here) and seeds it to a blind peer (`dat-sdk blind-peer`),
// Bob clones it with a progress bar, the author leaves, and Carol still clones every photo, from
// the blind peer alone.
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, makeTmpDir, removeDir, startBlindPeer, teardown } from '@dat-sdk/test-utils'
import { App } from '../../helpers/app.js'

/** A `size` x `size` 24-bit BMP, a colour gradient that differs with `seed`. */
function bmp(size: number, seed: number): Buffer {
  const row = Math.ceil((size * 3) / 4) * 4
  const pixels = row * size
  const file = Buffer.alloc(54 + pixels)
  file.write('BM', 0, 'latin1')
  file.writeUInt32LE(file.length, 2)
  file.writeUInt32LE(54, 10)
  file.writeUInt32LE(40, 14)
  file.writeInt32LE(size, 18)
  file.writeInt32LE(size, 22)
  file.writeUInt16LE(1, 26)
  file.writeUInt16LE(24, 28)
  file.writeUInt32LE(pixels, 34)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const at = 54 + y * row + x * 3
      file[at] = (x * 8 + seed * 20) & 0xff
      file[at + 1] = (y * 8 + seed * 50) & 0xff
      file[at + 2] = (seed * 90) & 0xff
    }
  }
  return file
}

/** Every file under `dir` (but `.dat`), by its path inside it. */
function filesIn(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === '.dat') continue
    const full = path.join(entry.parentPath, entry.name)
    out.set(path.relative(dir, full), fs.readFileSync(full))
  }
  return out
}

test('a clone with a progress bar, a blind peer, and every photo after the author left', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const tmp = makeTmpDir('photo-share')
    t.add(() => removeDir(tmp))
    const blindPeer = t.add(
      await startBlindPeer({ bootstrap: testnet.bootstrap, storage: path.join(tmp, 'blind-peer') }),
    )
    const run = (name: string, args: string[]) =>
      t.add(new App(name, 'photo-share/photo-share.ts', args, { bootstrap: testnet.bootstrapList }))

    const photos = path.join(tmp, 'photos')
    fs.mkdirSync(path.join(photos, 'trip'), { recursive: true })
    for (let i = 0; i < 12; i++) {
      const name = i < 8 ? `photo-${i}.bmp` : `trip/beach-${i}.bmp`
      fs.writeFileSync(path.join(photos, name), bmp(24 + i, i))
    }
    const original = filesIn(photos)
    const bytes = [...original.values()].reduce((n, b) => n + b.length, 0)

    const author = run('author', ['share', photos, '--blind-peer', blindPeer.z32])
    const url = (await author.waitFor(/^sharing (hyper:\/\/\S+)$/)).match[1]
    await author.waitFor(/^files 12$/)

    const clone = async (name: string, args: string[]) => {
      const dir = path.join(tmp, name)
      const app = run(name, ['clone', url, dir, ...args])
      const exit = await app.exited()
      assert.equal(exit, { code: 0, signal: null }, `${name}: ${app.stderr}`)
      assert.equal(app.lines, [`cloned 12 files (${bytes} bytes)`, 'bye'])
      // The progress bar, on stderr: it ends full.
      assert.match(app.stderr, /\[#{30}\] 12\/12 files\n$/)
      const copy = filesIn(dir)
      assert.equal([...copy.keys()].sort(), [...original.keys()].sort())
      for (const [file, content] of original) assert.ok(content.equals(copy.get(file)!), file)
    }

    await clone('bob', [])
    await author.waitFor(/^backed up$/)
    assert.equal(await author.end(), { code: 0, signal: null }, author.stderr)
    assert.is(author.lines.at(-1), 'bye')

    // Nobody but the blind peer has the photos now.
    await clone('carol', ['--blind-peer', blindPeer.z32])
  } finally {
    await t.run()
  }
})

test.run()
