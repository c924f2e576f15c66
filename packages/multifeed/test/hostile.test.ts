// A hostile peer at volume: its manifest announces 10,000 feeds. The receiver stays within
// `maxFeeds` (default 1,024): that peer's stream is destroyed with TOO_MANY_FEEDS, reported once
// (not once per feed), none of its keys is opened, and an honest peer syncing at the same time
// still gets its feeds across. The heap growth over the exchange is printed.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import v8 from 'node:v8'
import vm from 'node:vm'
import crypto from 'hypercore-crypto'
import { teardown } from '@dat-sdk/test-utils'
import { Multifeed } from '@dat-sdk/multifeed'
import { rawPeer } from './raw-peer.js'
import { pipe } from './sync.js'

const test = suite('multifeed: a peer announcing 10,000 feeds')

const HOSTILE_FEEDS = 10_000
const MiB = 1024 * 1024

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
function heap(): number {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

test('TOO_MANY_FEEDS once, the stream destroyed, nothing opened; an honest peer still syncs', async () => {
  const t = teardown()
  try {
    const multi = t.add(new Multifeed<string>(t.tmpDir(), { valueEncoding: 'utf-8' }))
    assert.is(multi.maxFeeds, 1024, 'the default cap')
    const own = await multi.writer('own')
    await own.append('own says hi')
    const reported: string[] = []
    multi.on('extension-error', (err: Error & { code?: string }) => reported.push(err.code ?? ''))

    const honest = t.add(new Multifeed<string>(t.tmpDir(), { valueEncoding: 'utf-8' }))
    const honestFeeds = []
    for (const name of ['h1', 'h2']) {
      const w = await honest.writer(name)
      await w.append(`${name} says hi`)
      honestFeeds.push(w)
    }

    const before = heap()
    const hostile = await rawPeer(t, multi, { live: true })
    const hostileErrors: string[] = []
    hostile.multiStream.on('error', (err: Error & { code?: string }) =>
      hostileErrors.push(err.code ?? err.message),
    )
    const hostileClosed = new Promise<void>((resolve) => hostile.multiStream.once('close', resolve))
    await hostile.opened
    const keys = Array.from({ length: HOSTILE_FEEDS }, () => crypto.randomBytes(32))
    // The honest exchange runs beside the hostile one.
    const honestSync = pipe(honest.replicate(true), multi.replicate(false))
    hostile.sendManifest({ feeds: keys.map((key) => ({ key, length: 5 })) })

    await hostileClosed
    await honestSync.done
    const grown = (heap() - before) / MiB
    console.log(
      `manifest of ${HOSTILE_FEEDS} feeds refused; heap after GC ${grown.toFixed(2)} MiB over` +
        ` before; feeds opened ${multi.feeds().length}`,
    )
    assert.equal(hostileErrors, ['TOO_MANY_FEEDS'], 'one error on the hostile stream')
    assert.ok(hostile.multiStream.destroyed, 'the hostile stream is destroyed')
    assert.equal(reported, ['TOO_MANY_FEEDS'], 'one report for the one message')
    assert.equal(honestSync.errors, [[], []], 'the honest exchange ends cleanly')
    for (const w of honestFeeds) {
      const copy = multi.feed(w.key!)
      assert.ok(copy, 'the honest feed is opened')
      assert.is(
        await copy.get(0, { timeout: 10_000 }),
        `${w === honestFeeds[0] ? 'h1' : 'h2'} says hi`,
      )
    }
    assert.is(multi.feeds().length, 3, 'our feed and the honest two, none of the hostile ones')
    assert.ok(
      keys.every((k) => multi.feed(k) === undefined),
      'no hostile key is opened',
    )
    assert.ok(multi.feeds().length <= multi.maxFeeds)
    assert.ok(grown < 32, `heap grew ${grown.toFixed(2)} MiB`)
  } finally {
    await t.run()
  }
})

test.run()
