// `share --blind-peer KEY`: the share seeds its drive to a blind peer (Holepunch's blind-peer, run
// by `dat-sdk blind-peer` in its own process) and says when it is backed up; after the share is
// SIGKILLed, `clone --blind-peer KEY` gets the folder byte-identical from the blind peer alone.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createTestnet, startBlindPeer, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('dat-sdk share --blind-peer')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** Every file under `dir` (relative path → bytes), the .dat left out. */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === '.dat') continue
    const full = path.join(entry.parentPath, entry.name)
    out.set(path.relative(dir, full), fs.readFileSync(full))
  }
  return out
}

test('the share reports backed up; after it is SIGKILLed, clone --blind-peer gets the folder byte-identical', async () => {
  const t = teardown()
  try {
    const bs = ['--bootstrap', `127.0.0.1:${testnet.bootstrap[0].port}`]
    const blindPeer = t.add(
      await startBlindPeer({ bootstrap: testnet.bootstrap, storage: t.tmpDir('bp') }),
    )
    const src = t.tmpDir('bp-src')
    fs.mkdirSync(path.join(src, 'docs'))
    for (let i = 0; i < 12; i++) {
      fs.writeFileSync(path.join(src, 'docs', `note-${i}.txt`), `note ${i}\n`.repeat(50))
    }
    fs.writeFileSync(path.join(src, 'photo.bin'), crypto.randomBytes(512 * 1024))

    const share = t.add(
      new Running([
        'share',
        src,
        '--blind-peer',
        blindPeer.z32,
        '--storage',
        t.tmpDir('bp-share'),
        ...bs,
      ]),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+\/$/m)
    await share.waitFor(/^backed up: 1 blind peer holds all \d+ blocks$/m, 'stderr', 60_000)
    share.child.kill('SIGKILL')
    await share.exited()

    const target = path.join(t.tmpDir('bp-clone'), 'copy')
    const clone = await run(
      ['clone', url, target, '--blind-peer', blindPeer.z32, '--storage', t.tmpDir('bp-c'), ...bs],
      90_000,
    )
    assert.is(clone.code, 0, clone.stderr)
    const want = files(src)
    const got = files(target)
    assert.equal([...got.keys()].sort(), [...want.keys()].sort())
    for (const [name, bytes] of want) assert.ok(got.get(name)?.equals(bytes), name)
  } finally {
    await t.run()
  }
})

test.run()
