// One reader of bench/crowd.bench.ts's process variant, in a process of its own: it loads its
// modules, prints `READY`, and on a line `go` from its parent opens the core by key (ours: an SDK
// reader, `createSDK()` + `Hypercore(key)` + `download()`; raw: Corestore + Hyperswarm, `join()` as
// client and server) and downloads every block, prints `DONE`, keeps serving until a line `end`
// (as the in-process readers stay until the whole crowd is done), prints `CPU <microseconds>`
// (this process's CPU time, user + system, from `go` until `end`: its whole share of the round,
// serving included), then closes and exits. The parent times from `go` to the last `DONE`, so
// process start-up is not counted. Plain JS, so the process starts without a TypeScript loader.
//   node bench/crowd-reader.mjs <ours|raw> <key hex> <bootstrap JSON> <blocks>
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import HyperDHT from '../packages/networker/node_modules/hyperdht/index.js'
import { createSDK } from '../packages/sdk/dist/index.js'

const [side, keyHex, bootstrapJson, blocksText] = process.argv.slice(2)
const key = Buffer.from(keyHex, 'hex')
const bootstrap = JSON.parse(bootstrapJson)
const blocks = Number(blocksText)

async function ours() {
  const sdk = await createSDK({ storage: false, bootstrap })
  const core = sdk.Hypercore(key)
  await core.ready()
  await core.download({ start: 0, end: blocks }).done()
  if (core.contiguousLength < blocks) throw new Error('ours: a reader is missing blocks')
  return () => sdk.close()
}

async function raw() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowd-bench-raw-reader-'))
  const store = new Corestore(dir)
  const dht = new HyperDHT({ bootstrap, host: '127.0.0.1', firewalled: false })
  const swarm = new Hyperswarm({ dht })
  swarm.on('connection', (conn) => {
    conn.on('error', () => {})
    store.replicate(conn)
  })
  const core = store.get({ key })
  await core.ready()
  const found = core.findingPeers()
  swarm.join(core.discoveryKey)
  swarm.flush().then(found, found)
  await core.download({ start: 0, end: blocks }).done()
  if (core.contiguousLength < blocks) throw new Error('raw: a reader is missing blocks')
  return async () => {
    await swarm.destroy()
    await store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

let input = ''
const waiters = []
process.stdin.on('data', (d) => {
  input += d
  for (const w of waiters) if (input.includes(w.line)) w.resolve()
})
const line = (text) =>
  new Promise((resolve) => {
    if (input.includes(text + '\n')) resolve()
    else waiters.push({ line: text + '\n', resolve })
  })

console.log('READY')
await line('go')
const cpu0 = process.cpuUsage()
const close = await (side === 'ours' ? ours() : raw())
console.log('DONE')
await line('end')
const cpu = process.cpuUsage(cpu0)
console.log(`CPU ${cpu.user + cpu.system}`)
await close()
process.exit(0)
