// Throughput of one 256 MiB file through the gateway against reading the same drive directly with
// drive.createReadStream in this process. Every row is scored by the median of per-round ratios:
// - client in this process (the score that compares equals): the gateway, its HTTP client and the
//   direct read share one event loop and one core. The client is the leanest fair one: a `net`
//   socket that sends the GET, parses the status line and `Content-Length`, and reads every byte
//   of the body into one reused buffer (as the direct side, it keeps none of them), checking the
//   count; `http.get` would add its parser and a stream per response, which the direct side has no
//   counterpart of;
// - the same over the subdomain form (`Host: <z32>.localhost:<port>`, GET /big.bin);
// - the floor: a bare `node:http` server (no gateway code) piping the same blob stream, with the
//   same read-ahead, to the same client: what HTTP over loopback costs here, with the gateway
//   held against it;
// - client in a child process (as a browser is, with `http.get`): the client gets a second core,
//   which the direct side does not, so this row flatters the gateway; it is kept, named as what
//   it is.
// The in-process sides run in rounds, each round every side once, in an order that rotates (and
// reverses) from round to round (so none always runs on a warmer or busier machine); a row's
// pairs come from the same rounds. CPU time of this process per side is printed beside: it does
// not depend on the neighbours. Peak RSS is sampled while the gateway serves: streaming must not grow with the file.
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { createSDK } from '../packages/sdk/dist/index.js'
import { createGateway } from '../packages/gateway/dist/index.js'
import { createTestnet } from '../packages/test-utils/dist/index.js'
import { interleave, median, pairedRow, report, share, type Pair } from './lib.ts'

const SIZE = Number(process.env.BENCH_GATEWAY_MIB || 256) * 1024 * 1024
// This process's share of 42 rounds (`bench/run.mjs` runs this file in six processes, 7 rounds
// each). In three processes of 7 rounds, the subdomain row read 0.861 to 0.969 over five full
// runs, a shift of the whole process that three did not average out; in six, 0.943, 0.946, 0.922.
const ROUNDS = share(Math.max(5, Number(process.env.BENCH_GATEWAY_ROUNDS || 42)))
const MiB = 1024 * 1024
// The gateway's read-ahead (packages/gateway/src/read.ts), which the floor's server uses too.
const READ_AHEAD = 4 * MiB

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

  // The floor: a bare node:http server that pipes the same file's blob stream (same read-ahead)
  // into its response, with none of the gateway's code (no routing, no Host check, no headers).
  const floorServer = http.createServer((req, res) => {
    req.resume()
    drive.hyperdrive.entry('/big.bin').then(
      (entry) => {
        if (!entry?.value.blob) return res.writeHead(404).end()
        res.writeHead(200, { 'content-length': String(entry.value.blob.byteLength) })
        drive.hyperdrive.createReadStream(entry, { highWaterMark: READ_AHEAD }).pipe(res)
      },
      () => res.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve) => floorServer.listen(0, '127.0.0.1', resolve))
  const floorPort = (floorServer.address() as { port: number }).port

  const body = Buffer.allocUnsafe(MiB) // the client's read buffer, reused: no byte is kept
  /**
   * GETs `path` (with `Host: host`) over a `net` socket in this process: the status line must be
   * 200, and the body must be exactly `Content-Length` bytes; resolves with the body's byte count.
   */
  const get = (toPort: number, path: string, host = `127.0.0.1:${toPort}`) =>
    new Promise<number>((resolve, reject) => {
      let head = '' // the status line and headers, until the blank line
      let length = -1 // Content-Length, once the head is in
      let bytes = 0
      const fail = (err: Error) => {
        socket.destroy()
        reject(err)
      }
      const socket = net.connect({
        host: '127.0.0.1',
        port: toPort,
        onread: {
          buffer: body,
          callback: (n: number) => {
            let from = 0
            if (length < 0) {
              head += body.toString('latin1', 0, n)
              const end = head.indexOf('\r\n\r\n')
              if (end === -1) return true
              const m = /\r\ncontent-length: *(\d+)\r\n/i.exec(head.slice(0, end + 2))
              if (!/^HTTP\/1\.1 200 /.test(head) || !m) {
                fail(new Error(`GET ${path}: ${head.slice(0, end)}`))
                return false
              }
              length = Number(m[1])
              from = n - (head.length - end - 4) // where the body starts in this read
            }
            bytes += n - from
            return true
          },
        },
      })
      socket.once('connect', () =>
        socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`),
      )
      socket.once('end', () => {
        socket.destroy()
        if (bytes !== length) reject(new Error(`GET ${path}: ${bytes} bytes, not ${length}`))
        else resolve(bytes)
      })
      socket.once('error', fail)
    })
  const sides = {
    direct: async (): Promise<number> => {
      let bytes = 0
      for await (const data of drive.createReadStream('/big.bin')) bytes += data.byteLength
      return bytes
    },
    inProcess: () => get(port, url.pathname),
    subdomain: () => get(port, '/big.bin', subdomain),
    floor: () => get(floorPort, '/big.bin'),
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

  const cpu: Record<Side, number[]> = {
    direct: [],
    inProcess: [],
    subdomain: [],
    floor: [],
    childProcess: [],
  }
  /** One run of `side`: its MiB/s (the figure each pair compares); its CPU ms kept aside. */
  const run = async (side: Side): Promise<number> => {
    serving = side === 'inProcess' || side === 'subdomain' || side === 'childProcess'
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

  // The in-process sides, in rounds: one unscored round first (JIT, caches, first connections),
  // then each round runs every side once, starting one further along each time, and in reverse
  // every other round, so that no side always follows the same one (and pays for its garbage).
  const inProcessSides = ['inProcess', 'direct', 'subdomain', 'floor'] as const
  type InProcessSide = (typeof inProcessSides)[number]
  const figures: Array<Record<InProcessSide, number>> = []
  for (let round = -1; round < ROUNDS; round++) {
    const figure = { inProcess: NaN, direct: NaN, subdomain: NaN, floor: NaN }
    for (let i = 0; i < inProcessSides.length; i++) {
      const n = inProcessSides.length
      const at = (round + 1 + i) % n
      const side = inProcessSides[(round + 1) % 2 === 0 ? at : n - 1 - at]
      figure[side] = await run(side)
    }
    const tag = round < 0 ? 'warm-up' : `round ${round + 1}/${ROUNDS}`
    const shown = inProcessSides.map((side) => `${side} ${figure[side].toFixed(1)}`).join(', ')
    console.log(`gateway in-process ${tag}: ${shown} MiB/s`)
    if (round >= 0) figures.push(figure)
  }
  const pairsOf = (ours: InProcessSide, against: InProcessSide): Pair[] =>
    figures.map((f) => ({ ours: f[ours], baseline: f[against] }))
  const inProcess = pairsOf('inProcess', 'direct')
  const subdomainPairs = pairsOf('subdomain', 'direct')
  const floorPairs = pairsOf('floor', 'direct')
  const againstFloor = pairsOf('inProcess', 'floor')
  const subdomainAgainstFloor = median(
    pairsOf('subdomain', 'floor').map((p) => p.ours / p.baseline),
  )
  floorServer.close()

  const pairs = async (side: 'childProcess'): Promise<Pair[]> =>
    interleave(
      { rounds: ROUNDS, label: `gateway ${side}`, unit: 'MiB/s' },
      () => run(side),
      () => run('direct'),
    )
  const childPairs = await pairs('childProcess')
  clearInterval(sampler)

  // The scored rounds' CPU time (the warm-up dropped; for `direct`, its in-process rounds).
  const cpuMedian = (side: Side) => Math.round(median(cpu[side].slice(1, ROUNDS + 1)))
  /**
   * The in-process rounds' CPU time, `against` over `ours` per round (the warm-up dropped), median:
   * the score the row would have in CPU time, which the neighbours sway far less than wall time.
   */
  const cpuRatio = (ours: InProcessSide, against: InProcessSide) =>
    Math.round(median(figures.map((_, k) => cpu[against][k + 1] / cpu[ours][k + 1])) * 1000) / 1000
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
        'CPU time ratio (median per round)': cpuRatio('inProcess', 'direct'),
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
      extra: {
        'CPU ms gateway (median)': cpuMedian('subdomain'),
        'CPU time ratio (median per round)': cpuRatio('subdomain', 'direct'),
      },
    }),
    pairedRow({
      name: `gateway floor: ${what} from a bare node:http server piping the same blob stream (no gateway code), client in this process, vs drive.createReadStream`,
      unit: 'MiB/s',
      better: 'higher',
      target: 0.8,
      pairs: floorPairs,
      extra: {
        'CPU ms direct/floor (median)': `${cpuMedian('direct')}/${cpuMedian('floor')}`,
        'CPU time ratio (median per round)': cpuRatio('floor', 'direct'),
      },
    }),
    pairedRow({
      name: `gateway: ${what}, client in this process, vs that bare node:http floor`,
      unit: 'MiB/s',
      better: 'higher',
      target: 0.98,
      pairs: againstFloor,
      extra: {
        'CPU ms floor/gateway (median)': `${cpuMedian('floor')}/${cpuMedian('inProcess')}`,
        'CPU time ratio (median per round)': cpuRatio('inProcess', 'floor'),
        'subdomain vs floor (median of per-round ratios)':
          Math.round(subdomainAgainstFloor * 1000) / 1000,
      },
    }),
    pairedRow({
      name: `gateway: ${what}, client (http.get) in a child process (a second core for our side) vs drive.createReadStream`,
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
