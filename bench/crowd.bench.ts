// A flash crowd: one author holds a 10 MiB core (640 blocks of 16 KiB), and N = 1, 4, 8 and 16
// fresh readers start together and each download all of it, on one loopback testnet in this
// process. For each N: the time from the readers' start (storage, swarm and all) until the last
// one holds every block, and the author's upload divided by the data's size (1.00 per reader when
// the readers never serve each other).
// Ours: an SDK author (`createSDK()` + `Hypercore(name)`) and SDK readers (`createSDK()` +
// `Hypercore(key)` + `download()`), with the SDK's defaults. Raw: a Corestore + Hyperswarm author
// and readers, with hypercore's and Hyperswarm's defaults (`join()` as client and server). The
// two sides alternate round by round (bench/lib.ts `interleave`); each side keeps one author for
// the whole run, and every round has fresh readers. The author's upload is counted from its
// session's 'upload' events, the same way on both sides.
// Rounds: 3 at N = 1 (after an unscored warm-up pair), 2 at N = 4, 1 at N = 8, 2 at N = 16, to keep
// the file near 90 s. BENCH_TRACE=1 prints each reader's peers; BENCH_CROWD_N=1,16 picks sizes.
// Targets (ours): at N = 16 the author uploads <= 8x the data, and all are done within 4x the
// time of N = 1 (both as medians of this run's rounds). The raw stack's figures print beside them.
// In processes (printed, not scored): the same crowd with each reader in a process of its own
// (bench/crowd-reader.mjs; the author stays here), one round per size and side, N = 1 and 16
// (BENCH_CROWD_PROC_N; empty: none). In one process every reader's hashing, storing and
// encryption share one thread; in processes they spread over the machine's cores, so the two
// N=16 / N=1 ratios side by side tell the machine's bound from the protocol's.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { Duplex } from 'node:stream'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import Hyperswarm from '../packages/networker/node_modules/hyperswarm/index.js'
import { createSDK } from '../packages/sdk/dist/index.js'
import { createTestnet, makeTmpDir, removeDir } from '../packages/test-utils/dist/index.js'
import { budgetRow, interleave, median, report, round, time, type Pair } from './lib.ts'

const BLOCK_SIZE = 16 * 1024
const BLOCKS = Number(process.env.BENCH_CROWD_BLOCKS || 640)
const SIZE = BLOCKS * BLOCK_SIZE
const CROWDS = (process.env.BENCH_CROWD_N || '1,4,8,16').split(',').map(Number)
/** Scored rounds per crowd size: fewer for the big crowds, which take longest. */
const ROUNDS: Record<number, number> = { 1: 3, 4: 2, 8: 1, 16: 2 }
/** A round that has not finished by then fails the benchmark. */
const STALL_MS = Number(process.env.BENCH_CROWD_STALL_MS || 120_000)
const UPLOAD_BUDGET = 8
const TIME_BUDGET = 4
/** Crowd sizes of the process variant (one round each), printed beside the scored rows. */
const PROC_CROWDS = (process.env.BENCH_CROWD_PROC_N ?? '1,16')
  .split(',')
  .filter(Boolean)
  .map(Number)
const READER = path.join(import.meta.dirname, 'crowd-reader.mjs')

const testnet = await createTestnet(3)
const bootstrap = testnet.bootstrap
const dirs: string[] = []
function tmp(label: string): string {
  const dir = makeTmpDir(`crowd-bench-${label}`)
  dirs.push(dir)
  return dir
}

function payload(i: number): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE)
  block.fill(i & 0xff)
  block[0] = i >> 8
  return block
}
const blocks = Array.from({ length: BLOCKS }, (_, i) => payload(i))

/** An author that counts the payload bytes its core uploads. */
interface Author {
  key: Uint8Array
  uploaded: number
  close(): Promise<void>
}

interface UploadSource {
  on(event: 'upload', fn: (index: number, byteLength: number) => void): unknown
}

function countUploads(core: UploadSource, author: { uploaded: number }): void {
  core.on('upload', (_index, byteLength) => {
    author.uploaded += byteLength
  })
}

async function oursAuthor(): Promise<Author> {
  const sdk = await createSDK({ storage: tmp('ours-author'), bootstrap })
  const core = sdk.Hypercore('crowd')
  await core.ready()
  for (let i = 0; i < BLOCKS; i += 64) await core.append(blocks.slice(i, i + 64))
  await sdk.flush(core)
  const author = { key: core.key!, uploaded: 0, close: () => sdk.close() }
  countUploads(core.hypercore, author)
  return author
}

async function rawAuthor(): Promise<Author> {
  const store = new Corestore(tmp('raw-author'))
  const swarm = new Hyperswarm({ dht: testnet.createNode() })
  swarm.on('connection', (conn: Duplex) => replicate(store, conn))
  const core = store.get({ name: 'crowd' })
  await core.ready()
  for (let i = 0; i < BLOCKS; i += 64) await core.append(blocks.slice(i, i + 64))
  await swarm.join(core.discoveryKey!).flushed()
  const author = {
    key: core.key!,
    uploaded: 0,
    close: async () => {
      await swarm.destroy()
      await store.close()
    },
  }
  countUploads(core, author)
  return author
}

/** Replicates a raw store on a connection; a connection reset as a crowd leaves is no error. */
function replicate(store: Corestore, conn: Duplex): void {
  conn.on('error', () => {})
  store.replicate(conn)
}

/** One reader: opens the core by key and resolves once it holds every block. */
interface Reader {
  done: Promise<void>
  close(): Promise<void>
}

function oursReader(key: Uint8Array): Reader {
  const t0 = Date.now()
  const opening = createSDK({ storage: tmp('ours-reader'), bootstrap })
  const done = opening.then(async (sdk) => {
    const opened = Date.now() - t0
    const core = sdk.Hypercore(key)
    await core.ready()
    const t1 = Date.now()
    await core.download({ start: 0, end: BLOCKS }).done()
    if (process.env.BENCH_TRACE)
      console.log(
        `ours reader: open ${opened} ms, ready ${t1 - t0} ms, done ${Date.now() - t0} ms, peers ${core.peers().length}, net ${sdk.networker.peers.length}`,
      )
    if (core.contiguousLength < BLOCKS) throw new Error('ours: a reader is missing blocks')
  })
  return {
    done,
    close: async () => {
      const sdk = await opening
      await sdk.close()
    },
  }
}

function rawReader(key: Uint8Array): Reader {
  const store = new Corestore(tmp('raw-reader'))
  const swarm = new Hyperswarm({ dht: testnet.createNode() })
  swarm.on('connection', (conn: Duplex) => replicate(store, conn))
  const core = store.get({ key })
  const t0 = Date.now()
  const done = (async () => {
    await core.ready()
    const found = core.findingPeers()
    swarm.join(core.discoveryKey!)
    swarm.flush().then(found, found)
    await core.download({ start: 0, end: BLOCKS }).done()
    if (process.env.BENCH_TRACE)
      console.log(
        `raw reader: done ${Date.now() - t0} ms, peers ${core.peers.length}, net ${swarm.connections.size}`,
      )
    if (core.contiguousLength < BLOCKS) throw new Error('raw: a reader is missing blocks')
  })()
  return {
    done,
    close: async () => {
      await swarm.destroy()
      await store.close()
    },
  }
}

/** The figures of one round: all-done time (ms) and the author's upload as a multiple of SIZE. */
interface Crowd {
  ms: number
  upload: number
}

async function crowd(author: Author, open: (key: Uint8Array) => Reader, n: number): Promise<Crowd> {
  author.uploaded = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const readers: Reader[] = []
  try {
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no full crowd of ${n} in ${STALL_MS} ms`)),
        STALL_MS,
      )
    })
    const { ms } = await time(async () => {
      for (let i = 0; i < n; i++) readers.push(open(author.key))
      await Promise.race([Promise.all(readers.map((r) => r.done)), stalled])
    })
    return { ms, upload: author.uploaded / SIZE }
  } finally {
    clearTimeout(timer)
    await Promise.allSettled(readers.map((r) => r.close()))
  }
}

/** Resolves once `child` printed the line `word`; rejects if it exits first. */
function printed(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      if (out.split('\n').includes(word)) resolve()
    })
    child.on('exit', (code) => reject(new Error(`a crowd reader exited ${code} before ${word}`)))
  })
}

/**
 * The process variant: each reader in a process of its own (bench/crowd-reader.mjs), the author
 * in this one. The clock starts once every reader has loaded its modules and runs until the last
 * holds every block.
 */
async function procCrowd(author: Author, side: 'ours' | 'raw', n: number): Promise<Crowd> {
  const args = [READER, side, Buffer.from(author.key).toString('hex'), JSON.stringify(bootstrap)]
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, [...args, String(BLOCKS)], { stdio: ['pipe', 'pipe', 'inherit'] }),
  )
  const exited = children.map(
    (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
  )
  const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), STALL_MS)
  try {
    await Promise.all(children.map((c) => printed(c, 'READY')))
    const done = children.map((c) => printed(c, 'DONE'))
    author.uploaded = 0
    const { ms } = await time(async () => {
      for (const child of children) child.stdin!.write('go\n')
      await Promise.all(done)
    })
    return { ms, upload: author.uploaded / SIZE }
  } finally {
    for (const child of children) child.stdin!.end('end\n')
    await Promise.all(exited)
    clearTimeout(timer)
  }
}

const authors = { ours: await oursAuthor(), raw: await rawAuthor() }
const results = new Map<number, { time: Pair[]; upload: Pair[] }>()
for (const n of CROWDS) {
  const uploads = { ours: [] as number[], raw: [] as number[] }
  const side = (kind: 'ours' | 'raw') => async () => {
    const result = await crowd(authors[kind], kind === 'ours' ? oursReader : rawReader, n)
    uploads[kind].push(result.upload)
    return result.ms
  }
  const warmup = n === CROWDS[0] ? 1 : 0
  const times = await interleave(
    { rounds: ROUNDS[n] ?? 2, warmup, label: `crowd N=${n}`, unit: 'ms' },
    side('ours'),
    side('raw'),
  )
  // The warm-up pair's uploads are dropped like its times.
  const upload = times.map((_, i) => ({
    ours: uploads.ours[warmup + i],
    baseline: uploads.raw[warmup + i],
  }))
  for (const u of upload) {
    console.log(`crowd N=${n} upload: ours ${round(u.ours)}x, raw ${round(u.baseline)}x`)
  }
  results.set(n, { time: times, upload })
}

// The process variant: one round per size, the two sides alternating.
const procs = new Map<number, { time: Pair; upload: Pair }>()
for (const n of PROC_CROWDS) {
  const uploads = { ours: NaN, raw: NaN }
  const side = (kind: 'ours' | 'raw') => async () => {
    const result = await procCrowd(authors[kind], kind, n)
    uploads[kind] = result.upload
    return result.ms
  }
  const [pair] = await interleave(
    { rounds: 1, warmup: 0, label: `crowd in processes N=${n}`, unit: 'ms' },
    side('ours'),
    side('raw'),
  )
  procs.set(n, { time: pair, upload: { ours: uploads.ours, baseline: uploads.raw } })
}

await authors.ours.close()
await authors.raw.close()
await testnet.destroy()
for (const dir of dirs) await removeDir(dir)

const med = (pairs: Pair[], side: keyof Pair) => median(pairs.map((p) => p[side]))
const extra: Record<string, string> = {}
for (const [n, r] of results) {
  extra[`N=${n} all done (ours / raw)`] =
    `${round(med(r.time, 'ours') / 1000)} s / ${round(med(r.time, 'baseline') / 1000)} s`
  extra[`N=${n} author upload (ours / raw)`] =
    `${round(med(r.upload, 'ours'))}x / ${round(med(r.upload, 'baseline'))}x`
}
for (const [n, r] of procs) {
  extra[`N=${n} in processes: all done (ours / raw)`] =
    `${round(r.time.ours / 1000)} s / ${round(r.time.baseline / 1000)} s`
  extra[`N=${n} in processes: author upload (ours / raw)`] =
    `${round(r.upload.ours)}x / ${round(r.upload.baseline)}x`
}
/** The process variant's N=last / N=first, each side: is the bound the machine or the protocol? */
function procRatio(): Record<string, string> {
  const sizes = [...procs.keys()]
  if (sizes.length < 2) return {}
  const lo = procs.get(sizes[0])!.time
  const hi = procs.get(sizes[sizes.length - 1])!.time
  return {
    [`in processes: N=${sizes[sizes.length - 1]} / N=${sizes[0]} (ours / raw)`]: `${round(hi.ours / lo.ours)} / ${round(hi.baseline / lo.baseline)}`,
  }
}
const first = results.get(CROWDS[0])!
const biggest = CROWDS[CROWDS.length - 1]
const big = results.get(biggest)!
const rounds = (n: number) => results.get(n)!.time.length
report('crowd', [
  {
    ...budgetRow({
      name: `crowd: author upload with ${biggest} readers of 10 MiB, as a multiple of the data`,
      value: med(big.upload, 'ours'),
      budget: UPLOAD_BUDGET,
      unit: 'x data',
      extra,
    }),
    rule: `budget: <= ${UPLOAD_BUDGET}x data, median of ${rounds(biggest)} rounds`,
  },
  {
    ...budgetRow({
      name: `crowd: all ${biggest} readers done, as a multiple of one reader's time`,
      value: med(big.time, 'ours') / med(first.time, 'ours'),
      budget: TIME_BUDGET,
      unit: `x N=${CROWDS[0]}`,
      extra: {
        [`raw: N=${biggest} / N=${CROWDS[0]}`]: round(
          med(big.time, 'baseline') / med(first.time, 'baseline'),
        ),
        ...procRatio(),
      },
    }),
    rule:
      `budget: <= ${TIME_BUDGET}x, median of ${rounds(biggest)} rounds at N=${biggest} ` +
      `over median of ${rounds(CROWDS[0])} at N=${CROWDS[0]}`,
  },
])
