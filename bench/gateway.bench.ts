// Throughput of one 256 MiB file through the gateway against reading the same drive directly with
// drive.createReadStream in this process. The HTTP client is a separate Node process (as a browser
// is): it GETs over loopback and counts the bytes, as the direct side counts them. A second,
// unscored figure has the client in this process too (server and client then share one event
// loop, and node:http's client reads 64 KiB at a time: it costs about as much CPU as the read).
//
// On these shared 2-core machines a round's time mostly measures the other processes, so the
// sides alternate (ABBA...), each round gives one ratio gateway/direct from its own pair, and the
// score is the median of those per-round ratios; their spread and every round's figures are kept.
// CPU time of this process per side is printed beside: it does not depend on the neighbours.
// Peak RSS is sampled while the gateway serves: streaming must not grow with the file.
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import http from 'node:http'
import { createSDK } from '../packages/sdk/dist/index.js'
import { createGateway } from '../packages/gateway/dist/index.js'
import { createTestnet } from '../packages/test-utils/dist/index.js'
import { percentile, report } from './lib.ts'

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

  const sides = {
    direct: async (): Promise<number> => {
      let bytes = 0
      for await (const data of drive.createReadStream('/big.bin')) bytes += data.byteLength
      return bytes
    },
    gateway: () =>
      new Promise<number>((resolve, reject) => {
        child.once('message', (m) =>
          typeof m === 'number' ? resolve(m) : reject(new Error(String(m))),
        )
        child.send(url.href)
      }),
    inProcess: () =>
      new Promise<number>((resolve, reject) => {
        http
          .get(url, { agent: false }, (res) => {
            let bytes = 0
            res.on('data', (d: Buffer) => (bytes += d.length))
            res.on('end', () => resolve(bytes))
            res.on('error', reject)
          })
          .on('error', reject)
      }),
  }
  type Side = keyof typeof sides

  global.gc?.()
  const baseline = process.memoryUsage().rss
  let serving = false
  let peak = baseline
  const sampler = setInterval(() => {
    if (serving) peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)

  const run = async (side: Side) => {
    serving = side !== 'direct'
    const cpu = process.cpuUsage()
    const start = process.hrtime.bigint()
    const bytes = await sides[side]()
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    const used = process.cpuUsage(cpu)
    serving = false
    if (bytes !== SIZE) throw new Error(`${side}: read ${bytes} bytes, not ${SIZE}`)
    return { ms, cpuMs: (used.user + used.system) / 1000 }
  }
  for (const side of ['direct', 'gateway', 'inProcess'] as const) await run(side) // warm-up

  const rounds: Array<Record<Side, { ms: number; cpuMs: number }>> = []
  for (let round = 0; round < ROUNDS; round++) {
    const order: Side[] =
      round % 2 === 0 ? ['direct', 'gateway', 'inProcess'] : ['inProcess', 'gateway', 'direct']
    const figures = {} as Record<Side, { ms: number; cpuMs: number }>
    for (const side of order) figures[side] = await run(side)
    rounds.push(figures)
  }
  clearInterval(sampler)

  const mbps = (ms: number) => SIZE / MiB / (ms / 1000)
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((x, y) => x - y),
      50,
    )
  const r2 = (n: number) => Math.round(n * 100) / 100
  const ratios = (side: Side) => rounds.map((r) => r.direct.ms / r[side].ms)
  const cpuRatios = (side: Side) => rounds.map((r) => r.direct.cpuMs / r[side].cpuMs)
  const score = median(ratios('gateway'))
  const direct = median(rounds.map((r) => mbps(r.direct.ms)))
  const spread = (xs: number[]) => `${r2(Math.min(...xs))}–${r2(Math.max(...xs))}`
  report('gateway', [
    {
      name:
        `gateway: GET ${SIZE / MiB} MiB over loopback HTTP (client in a child process) vs ` +
        `drive.createReadStream; median of ${ROUNDS} per-round ratios`,
      // ours is the direct median scaled by the score, so that ours / baseline is the score.
      ours: Math.round(direct * score * 10) / 10,
      baseline: Math.round(direct * 10) / 10,
      unit: 'MiB/s',
      better: 'higher',
      target: 0.8,
      rule: `median of ${ROUNDS} per-round ratios`,
      score,
      spread: [Math.min(...ratios('gateway')), Math.max(...ratios('gateway'))],
      rounds: rounds.map((r) => ({
        ours: mbps(r.gateway.ms),
        baseline: mbps(r.direct.ms),
        ratio: r.direct.ms / r.gateway.ms,
      })),
      extra: {
        'ratio spread': spread(ratios('gateway')),
        'per-round ratios': ratios('gateway').map(r2).join(' '),
        'gateway median MiB/s': Math.round(median(rounds.map((r) => mbps(r.gateway.ms)))),
        'CPU ratio (direct/gateway process)': r2(median(cpuRatios('gateway'))),
        'client in this process: median ratio (unscored)': r2(median(ratios('inProcess'))),
        'client in this process: ratio spread': spread(ratios('inProcess')),
        'peak RSS MiB (serving)': Math.round(peak / MiB),
        'RSS growth MiB': Math.round((peak - baseline) / MiB),
        'direct runs ms': rounds.map((r) => Math.round(r.direct.ms)).join(' '),
        'gateway runs ms': rounds.map((r) => Math.round(r.gateway.ms)).join(' '),
        'in-process runs ms': rounds.map((r) => Math.round(r.inProcess.ms)).join(' '),
        'CPU ms direct/gateway/in-process': rounds
          .map(
            (r) =>
              `${Math.round(r.direct.cpuMs)}/${Math.round(r.gateway.cpuMs)}/${Math.round(r.inProcess.cpuMs)}`,
          )
          .join(' '),
      },
    },
  ])
} finally {
  child.kill()
  await gateway.close()
  await sdk.close()
  await testnet.destroy()
}
