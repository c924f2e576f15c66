import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSDK } from '@dat-sdk/sdk'
import { createTestnet, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createMetrics, serveMetrics } from '../src/metrics.js'
import { run, Running } from './helpers/cli.js'

const test = suite('Prometheus metrics: /metrics, and serve --metrics')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** Prometheus text: `name{labels}` to value (comments dropped). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^(\S+)\s+(\S+)$/.exec(line)
    if (!m) throw new Error(`Not a sample line: ${JSON.stringify(line)}`)
    out.set(m[1]!, Number(m[2]))
  }
  return out
}

/** A TCP port free on 127.0.0.1 just now. */
async function freePort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

test('scraped over HTTP, the counters match sdk.stats() after a transfer', async () => {
  const t = teardown()
  try {
    const opts = { storage: false, bootstrap: testnet.bootstrap } as const
    const a = t.add(await createSDK(opts))
    const b = t.add(await createSDK(opts))
    const drive = a.Hyperdrive()
    await drive.ready()
    await drive.put('/one.bin', crypto.randomBytes(300_000))
    await drive.put('/two.bin', crypto.randomBytes(5_000))
    await a.flush()
    const copy = b.Hyperdrive(drive.key)
    await copy.ready()
    await copy.download('/').done()
    const gossip = b.Gossip()
    gossip.advertise(crypto.randomBytes(32))

    const server = await serveMetrics(b, { host: '127.0.0.1', port: 0 })
    t.add(() => server.close())
    const res = await fetch(server.url)
    assert.is(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
    const scraped = parseMetrics(await res.text())
    const stats = b.stats()
    assert.ok(stats.downloadedBytes >= 305_000, 'the files came')
    assert.is(scraped.get('dat_sdk_downloaded_bytes'), stats.downloadedBytes)
    assert.is(scraped.get('dat_sdk_downloaded_blocks'), stats.downloadedBlocks)
    assert.is(scraped.get('dat_sdk_uploaded_bytes'), stats.uploadedBytes)
    assert.is(scraped.get('dat_sdk_blocks'), stats.blocks)
    assert.is(scraped.get('dat_sdk_local_blocks'), stats.localBlocks)
    assert.is(scraped.get('dat_sdk_connections'), stats.connections)
    assert.is(scraped.get('dat_sdk_connections'), 1)
    const part = `{kind="drive",url="${copy.url}"}`
    assert.is(scraped.get(`dat_sdk_part_downloaded_bytes${part}`), copy.stats().downloadedBytes)
    assert.is(scraped.get(`dat_sdk_part_peers${part}`), 1)
    assert.is(scraped.get('dat_sdk_gossip_entries'), 1)
    assert.is(scraped.get('dat_sdk_multifeed_feeds'), 0)
    assert.is(scraped.get('dat_sdk_seeds'), 0)
    // hypercore-stats' own counters, for every core of the store.
    assert.ok((scraped.get('hypercore_total_cores') ?? 0) >= 2, 'the db and blobs cores')
    // Every block came in a data message (some carry only proofs): hypercore's count agrees.
    const dataMessages = scraped.get('hypercore_total_wire_data_received') ?? 0
    assert.ok(dataMessages >= stats.downloadedBlocks, `${dataMessages} data messages`)

    assert.is((await fetch(server.url.replace('/metrics', '/other'))).status, 404)
    // A second registry in the same process does not collide with the first.
    assert.match(await createMetrics(a).text(), /dat_sdk_uploaded_bytes \d+/)
  } finally {
    await t.run()
  }
})

test('serve --metrics: a bad address exits 2, a port taken exits 1 naming it, else it serves', async () => {
  const t = teardown()
  try {
    const bootstrap = ['--bootstrap', testnet.bootstrapList]
    for (const bad of ['nope', '127.0.0.1:', '127.0.0.1:99999', ':9090']) {
      const r = await run(['serve', '--metrics', bad, ...bootstrap, '--storage', t.tmpDir('s')])
      assert.is(r.code, 2, bad)
      assert.is(r.stderr.split('\n')[0], `dat-sdk: --metrics takes host:port, not "${bad}"`)
      assert.not.match(r.stderr, /^\s+at /m)
    }

    const taken = http.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    t.add(() => new Promise<void>((resolve) => taken.close(() => resolve())))
    const takenPort = (taken.address() as AddressInfo).port
    const busy = await run([
      'serve',
      '--metrics',
      `127.0.0.1:${takenPort}`,
      ...bootstrap,
      '--storage',
      t.tmpDir('s'),
    ])
    assert.is(busy.code, 1)
    assert.is(busy.stderr, `dat-sdk: --metrics: 127.0.0.1:${takenPort} is already in use\n`)

    const port = await freePort()
    const serve = t.add(
      new Running([
        'serve',
        '--metrics',
        `127.0.0.1:${port}`,
        ...bootstrap,
        '--storage',
        t.tmpDir('s'),
      ]),
    )
    const [url] = await serve.waitFor(/^metrics: (\S+)$/m)
    assert.is(url, `metrics: http://127.0.0.1:${port}/metrics`)
    const scraped = parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
    assert.is(scraped.get('dat_sdk_connections'), 0)
    assert.ok(scraped.has('hypercore_total_cores'))
  } finally {
    await t.run()
  }
})

test.run()
