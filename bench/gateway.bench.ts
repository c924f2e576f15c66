// Throughput of one 256 MiB file through the gateway against reading the same drive directly with
// drive.createReadStream in this process. Three rows, each scored by the median of per-round
// ratios from interleaved pairs (lib.ts's `interleave`: the sides alternate, so neither always
// runs on the warmer or busier machine):
// - in-process (the score that compares equals): the HTTP client runs in this process, so the
//   gateway, its client and the direct read all share one event loop and one core;
// - in-process, over the subdomain form (`Host: <z32>.localhost:<port>`, GET /big.bin);
// - client in a child process (as a browser is): the client gets a second core, which the direct
//   side does not, so this row flatters the gateway; it is kept, named as what it is.
// CPU time of this process per side is printed beside: it does not depend on the neighbours.
// Peak RSS is sampled while the gateway serves: streaming must not grow with the file.
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import http from 'node:http'
import { createSDK } from '../packages/sdk/dist/index.js'
import { createGateway } from '../packages/gateway/dist/index.js'
import { createTestnet } from '../packages/test-utils/dist/index.js'
import { interleave, median, pairedRow, report, type Pair } from './lib.ts'

const SIZE = Number(process.env.BENCH_GATEWAY_MIB || 256) * 1024 * 1024
const ROUNDS = Math.max(5, Number(process.env.BENCH_GATEWAY_ROUNDS || 6))
const MiB = 1024 * 1024

// The client process: GETs each URL it is sent and answers with the byte count.
const CLIENT = `
const http = require('node:http')
process.on('message', (url) => {
  http.get(url, { agent: false }, (res) => {
    let bytes = 0
    res.on('data', (d) => (bytes += d.length))
    res.on('end', () => process.send(bytes))
    res.on('error', (err) => process.send(String(err)))
  }).on('error', (err) => process.send(String(err)))
})
process.send('ready')
`

const testnet = await createTestnet(3)
const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
const gateway = await createGateway(sdk)
const child = spawn(process.execPath, ['-e', CLIENT], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
})
try {
  await new Promise((resolve) => child.once('message', resolve))
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
  const port = Number(new URL(gateway.url).port)
  const subdomain = `${drive.url!.slice('hyper://'.length, -1)}.localhost:${port}`

  /** GETs `path` from the gateway in this process (with `Host: host`) and counts the bytes. */
  const get = (path: string, host?: string) =>
    new Promise<number>((resolve, reject) => {
      const headers = host ? { host } : {}
      http
        .get({ hostname: '127.0.0.1', port, path, headers, agent: false }, (res) => {
          let bytes = 0
          res.on('data', (d: Buffer) => (bytes += d.length))
          res.on('end', () => resolve(bytes))
          res.on('error', reject)
        })
        .on('error', reject)
    })
  const sides = {
    direct: async (): Promise<number> => {
      let bytes = 0
      for await (const data of drive.createReadStream('/big.bin')) bytes += data.byteLength
      return bytes
    },
    inProcess: () => get(url.pathname),
    subdomain: () => get('/big.bin', subdomain),
    childProcess: () =>
      new Promise<number>((resolve, reject) => {
        child.once('message', (m) =>
          typeof m === 'number' ? resolve(m) : reject(new Error(String(m))),
        )
        child.send(url.href)
      }),
  }
  type Side = keyof typeof sides

  const baseline = process.memoryUsage().rss
  let serving = false
  let peak = baseline
  const sampler = setInterval(() => {
    if (serving) peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)

  const cpu: Record<Side, number[]> = { direct: [], inProcess: [], subdomain: [], childProcess: [] }
  /** One run of `side`: its MiB/s (the figure each pair compares); its CPU ms kept aside. */
  const run = async (side: Side): Promise<number> => {
    serving = side !== 'direct'
    const used = process.cpuUsage()
    const start = process.hrtime.bigint()
    const bytes = await sides[side]()
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    const spent = process.cpuUsage(used)
    serving = false
    if (bytes !== SIZE) throw new Error(`${side}: read ${bytes} bytes, not ${SIZE}`)
    cpu[side].push((spent.user + spent.system) / 1000)
    return SIZE / MiB / (ms / 1000)
  }

  const pairs = async (side: Exclude<Side, 'direct'>): Promise<Pair[]> =>
    interleave(
      { rounds: ROUNDS, label: `gateway ${side}`, unit: 'MiB/s' },
      () => run(side),
      () => run('direct'),
    )
  const inProcess = await pairs('inProcess')
  const subdomainPairs = await pairs('subdomain')
  const childPairs = await pairs('childProcess')
  clearInterval(sampler)

  const cpuMedian = (side: Side) => Math.round(median(cpu[side]))
  const what = `GET ${SIZE / MiB} MiB over loopback HTTP`
  report('gateway', [
    pairedRow({
      name: `gateway: ${what}, client in this process (like against like) vs drive.createReadStream`,
      unit: 'MiB/s',
      better: 'higher',
      target: 0.8,
      pairs: inProcess,
      extra: {
        'CPU ms direct/gateway (median)': `${cpuMedian('direct')}/${cpuMedian('inProcess')}`,
        'peak RSS MiB (serving)': Math.round(peak / MiB),
        'RSS growth MiB': Math.round((peak - baseline) / MiB),
      },
    }),
    pairedRow({
      name: `gateway: ${what} on the drive's subdomain (Host: <z32>.localhost), client in this process, vs drive.createReadStream`,
      unit: 'MiB/s',
      better: 'higher',
      target: 0.8,
      pairs: subdomainPairs,
      extra: { 'CPU ms gateway (median)': cpuMedian('subdomain') },
    }),
    pairedRow({
      name: `gateway: ${what}, client in a child process (a second core for our side) vs drive.createReadStream`,
      unit: 'MiB/s',
      better: 'higher',
      target: 0.8,
      pairs: childPairs,
      extra: {
        'CPU ms of this process (median; the client is not counted)': cpuMedian('childProcess'),
      },
    }),
  ])
} finally {
  child.kill()
  await gateway.close()
  await sdk.close()
  await testnet.destroy()
}
