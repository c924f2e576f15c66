// The reader side of bench/hypersdk.bench.ts, one process per round: fresh storage, opens what the
// parent's raw writer serves by its hyper:// URL over the loopback testnet, reads all of it, and
// prints one line `RESULT {"ms":..,"bytes":..,"maxRssMiB":..,"cpuMs":..}` (cpuMs: the whole process's). The clock runs from the open
// until the last byte is read. Plain JS, so the process starts without a TypeScript loader.
// `raw` is a plain Corestore + Hyperdrive + Hyperswarm reader with their defaults (the parts
// hyper-sdk resolves), for rows that compare ours with the raw stack.
//   node bench/hypersdk-reader.mjs <ours|hyper-sdk|raw|ceiling> <core|drive|file> <url|topic> <bootstrap JSON> <expected bytes>
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { createSDK } from '../packages/sdk/dist/index.js'
import * as HyperSDK from '../packages/sdk/node_modules/hyper-sdk/index.js'
import { makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'

const require = createRequire(
  fs.realpathSync(
    path.join(import.meta.dirname, '../packages/sdk/node_modules/hyper-sdk/index.js'),
  ),
)
const Hyperswarm = require('hyperswarm')
const HyperDHT = require('hyperdht')
const Corestore = require('corestore')
const Hyperdrive = require('hyperdrive')
const z32 = require('z32')

const [side, task, ref, bootstrapJson, expectedText] = process.argv.slice(2)
const bootstrap = JSON.parse(bootstrapJson)
const expected = Number(expectedText)
// As the SDK does on loopback: bind 127.0.0.1, not firewalled (two processes on one testnet).
const swarm = () =>
  new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false }) })

const t0 = performance.now()
/** With BENCH_TRACE set, prints how far the reader got and when (to stderr). */
const trace = (what) => {
  if (process.env.BENCH_TRACE)
    console.error(`${side} ${task} ${what}: ${Math.round(performance.now() - t0)} ms`)
}

/** Reads every block of a core, or every file of a drive, or one file; returns the byte count. */
async function read(opened) {
  let bytes = 0
  if (task === 'core') {
    const core = opened
    await core.ready()
    while (core.length === 0) await core.update({ wait: true })
    for await (const block of core.createReadStream({ start: 0, end: core.length })) {
      bytes += block.byteLength
    }
  } else if (task === 'drive') {
    const drive = opened
    await drive.ready()
    while (drive.version <= 1) await drive.update({ wait: true })
    trace('found')
    for await (const entry of drive.list('/', { recursive: true })) {
      bytes += (await drive.get(entry.key)).byteLength
    }
    trace('read')
  } else {
    const drive = opened
    await drive.ready()
    while (drive.version <= 1) await drive.update({ wait: true })
    trace('found')
    for await (const data of drive.createReadStream('/big.bin')) bytes += data.byteLength
    trace('read')
  }
  return bytes
}

const dir = makeTmpDir('bench-hypersdk-reader')
let ms = 0
let bytes = 0
try {
  if (side === 'ceiling') {
    const s = swarm()
    const start = performance.now()
    bytes = await new Promise((resolve, reject) => {
      let got = 0
      s.on('connection', (conn) => {
        conn.on('error', reject)
        conn.on('data', (data) => {
          got += data.byteLength
          if (got >= expected) resolve(got)
        })
      })
      s.join(Buffer.from(ref, 'hex'), { server: false, client: true })
    })
    ms = performance.now() - start
    await s.destroy()
  } else if (side === 'ours') {
    const sdk = await createSDK({ storage: dir, bootstrap })
    trace('created')
    try {
      const start = performance.now()
      bytes = await read(task === 'core' ? sdk.Hypercore(ref) : sdk.Hyperdrive(ref))
      ms = performance.now() - start
    } finally {
      await sdk.close()
    }
  } else if (side === 'raw') {
    const store = new Corestore(dir)
    const s = swarm()
    s.on('connection', (conn) => store.replicate(conn))
    try {
      const start = performance.now()
      const key = z32.decode(ref.slice('hyper://'.length).split('/')[0])
      const opened = task === 'core' ? store.get({ key }) : new Hyperdrive(store, key)
      await opened.ready()
      // As the raw stack is used: updates wait for the swarm's first lookup, and here for the
      // writer's connection (the only peer), so that update({ wait: true }) has a peer to ask.
      const done = store.findingPeers()
      const connected = new Promise((resolve) => s.once('connection', resolve))
      s.join(opened.discoveryKey, { server: false, client: true })
      await connected
      s.flush().then(done, done)
      bytes = await read(opened)
      ms = performance.now() - start
      await opened.close()
    } finally {
      await s.destroy()
      await store.close()
    }
  } else {
    const sdk = await HyperSDK.create({ storage: dir, swarm: swarm() })
    trace('created')
    try {
      const start = performance.now()
      bytes = await read(task === 'core' ? await sdk.get(ref) : await sdk.getDrive(ref))
      ms = performance.now() - start
    } finally {
      await sdk.close()
    }
  }
} finally {
  await removeDir(dir)
}
if (bytes !== expected) throw new Error(`${side} ${task}: read ${bytes} bytes, not ${expected}`)
const maxRssMiB = process.resourceUsage().maxRSS / 1024
const cpu = process.cpuUsage()
const cpuMs = (cpu.user + cpu.system) / 1000
console.log(`RESULT ${JSON.stringify({ ms, bytes, maxRssMiB, cpuMs })}`)
process.exit(0)
