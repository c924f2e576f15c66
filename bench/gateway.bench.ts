// Throughput of one 256 MiB file through the gateway (HTTP GET over loopback, client in the same
// process) against reading the same drive directly with createReadStream in the same process.
// Rounds alternate gateway / direct; each side is scored by its best round (on these shared
// 2-core machines a round's time mostly measures the other processes), medians printed beside.
// Peak RSS is sampled while the gateway serves: streaming must not grow with the file.
import crypto from 'node:crypto'
import http from 'node:http'
import { createSDK } from '../packages/sdk/dist/index.js'
import { createGateway } from '../packages/gateway/dist/index.js'
import { createTestnet } from '../packages/test-utils/dist/index.js'
import { percentile, report, time } from './lib.ts'

const SIZE = Number(process.env.BENCH_GATEWAY_MIB || 256) * 1024 * 1024
const ROUNDS = Number(process.env.BENCH_GATEWAY_ROUNDS || 4)
const MiB = 1024 * 1024

const testnet = await createTestnet(3)
const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
const gateway = await createGateway(sdk)
try {
  const drive = sdk.Hyperdrive()
  await drive.ready()
  const ws = drive.createWriteStream('/big.bin')
  const chunk = crypto.randomBytes(MiB)
  const written = new Promise<void>((resolve, reject) => {
    ws.once('close', resolve)
    ws.once('error', reject)
  })
  for (let n = 0; n < SIZE / MiB; n++) {
    if (!ws.write(chunk)) await new Promise((resolve) => ws.once('drain', resolve))
  }
  ws.end()
  await written
  const url = new URL(`hyper/${drive.url!.slice('hyper://'.length)}big.bin`, gateway.url)

  const direct = async (): Promise<number> => {
    let bytes = 0
    for await (const data of drive.createReadStream('/big.bin')) bytes += data.byteLength
    return bytes
  }
  const viaGateway = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { agent: false }, (res) => {
          let bytes = 0
          res.on('data', (d: Buffer) => (bytes += d.length))
          res.on('end', () => resolve(bytes))
          res.on('error', reject)
        })
        .on('error', reject)
    })

  global.gc?.()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)

  const times = { gateway: [] as number[], direct: [] as number[] }
  const run = async (kind: 'gateway' | 'direct') => {
    const { ms, value } = await time(kind === 'gateway' ? viaGateway : direct)
    if (value !== SIZE) throw new Error(`${kind}: read ${value} bytes, not ${SIZE}`)
    return ms
  }
  await run('direct') // warm-up, not counted
  await run('gateway')
  for (let round = 0; round < ROUNDS; round++) {
    const order: Array<'gateway' | 'direct'> =
      round % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway']
    for (const kind of order) times[kind].push(await run(kind))
  }
  clearInterval(sampler)
  const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y)
  const g = sorted(times.gateway)[0]
  const d = sorted(times.direct)[0]
  const mbps = (ms: number) => Math.round((SIZE / MiB / (ms / 1000)) * 10) / 10
  report('gateway', [
    {
      name: `gateway: GET ${SIZE / MiB} MiB over loopback HTTP vs drive.createReadStream`,
      ours: mbps(g),
      baseline: mbps(d),
      unit: 'MiB/s',
      better: 'higher',
      target: 0.8,
      extra: {
        'gateway median MiB/s': mbps(percentile(sorted(times.gateway), 50)),
        'direct median MiB/s': mbps(percentile(sorted(times.direct), 50)),
        'peak RSS MiB': Math.round(peak / MiB),
        'RSS growth MiB': Math.round((peak - baseline) / MiB),
        'gateway runs ms': times.gateway.map(Math.round).join(' '),
        'direct runs ms': times.direct.map(Math.round).join(' '),
      },
    },
  ])
} finally {
  await gateway.close()
  await sdk.close()
  await testnet.destroy()
}
