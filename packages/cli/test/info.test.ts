import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import { createSDK, toZ32 } from '@dat-sdk/sdk'
import { createTestnet, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { run } from './helpers/cli.js'

const test = suite('dat-sdk info: what a ref is, and whether the peers found hold all of it')

let testnet: LoopbackTestnet
let bootstrap: string[]
test.before(async () => {
  testnet = await createTestnet(3)
  bootstrap = ['--bootstrap', testnet.bootstrapList]
})
test.after(async () => {
  await testnet.destroy()
})

test('a drive a peer holds all of: its kind, size and peers, exit 0', async () => {
  const t = teardown()
  try {
    const seeder = t.add(
      await createSDK({ storage: false, bootstrap: testnet.bootstrap, firewalled: false }),
    )
    const drive = seeder.Hyperdrive()
    await drive.ready()
    await drive.put('/a.bin', crypto.randomBytes(200_000))
    await drive.put('/b.txt', 'b')
    await seeder.flush()
    const blocks = drive.stats().blocks
    // The seeder, joined by its key as a blind peer would be: it holds all of it.
    const r = await run(
      [
        'info',
        drive.url!,
        ...bootstrap,
        '--timeout',
        '20',
        '--blind-peer',
        toZ32(seeder.publicKey!),
      ],
      60_000,
    )
    assert.is(r.code, 0, r.stderr)
    const lines = r.stdout.trim().split('\n')
    assert.is(lines[0], `drive ${drive.url}`)
    assert.match(lines[1]!, `length: ${blocks} blocks, `)
    assert.ok(lines[1]!.endsWith(` (${drive.stats().byteLength} bytes)`), lines[1])
    // Telling a drive apart reads its header and index: some db blocks, none of the files' bytes.
    const local = Number(/^local: (\d+) of (\d+) blocks$/.exec(lines[2]!)?.[1])
    assert.ok(local >= 1 && local < blocks, lines[2])
    assert.is(lines[3], `peers: 1 found, holding ${blocks} of ${blocks} blocks`)
    assert.is(lines[4], `blind peer ${toZ32(seeder.publicKey!)}: holds all of it`)
  } finally {
    await t.run()
  }
})

test('a core its only peer holds half of exits 1; a key nobody has exits 1', async () => {
  const t = teardown()
  try {
    const opts = { storage: false, bootstrap: testnet.bootstrap, firewalled: false } as const
    const writer = t.add(await createSDK(opts))
    const core = writer.Hypercore('log')
    await core.append(Array.from({ length: 10 }, (_, i) => Buffer.from(`block ${i}`)))
    const partial = t.add(await createSDK(opts))
    const copy = partial.Hypercore(core.url)
    await copy.ready()
    await copy.download({ start: 0, end: 5 }).done()
    await writer.close()
    await partial.flush(copy)

    const r = await run(['info', core.url!, ...bootstrap, '--timeout', '4'], 60_000)
    assert.is(r.code, 1, r.stderr)
    const lines = r.stdout.trim().split('\n')
    assert.is(lines[0], `core ${core.url}`)
    assert.is(lines[3], 'peers: 1 found, holding 5 of 10 blocks')

    const nobody = toZ32(crypto.randomBytes(32))
    const none = await run(['info', `hyper://${nobody}`, ...bootstrap, '--timeout', '2'], 60_000)
    assert.is(none.code, 1)
    assert.match(none.stderr, /^dat-sdk: No peer had hyper:\/\/\S+ within 2 s/)
    assert.is(none.stderr.trim().split('\n').length, 1, 'one line')
  } finally {
    await t.run()
  }
})

test.run()
