// Keeping data online with a blind peer (`dat-sdk blind-peer`, blind-peer 3.8.1, in a process of
// its own as test-utils' `startBlindPeer()` runs it), on a loopback testnet, with a drive of 1,000
// files / 10 MiB. Two rows, each in alternating rounds (bench/lib.ts `interleave`), scored by the
// median of per-pair ratios (`pairedRow`):
//
// 1. Clone from a blind peer alone against the same clone from its author alone. The drive the
//    blind peer holds was seeded to it by an SDK that closed once `backedUp()` resolved; the other
//    drive (the same files) is served by its author, which the blind peer never held. Each round's
//    reader is a fresh process (bench/seeding-reader.mjs: an SDK with no storage that knows the
//    blind peer's key, as a reader given "the URL and the blind peer's key" is), so on both sides
//    one process serves and another reads; the clock runs from the open to the last byte read.
// 2. Time from `sdk.seed(drive)` to `seed.backedUp()` against the same blind-peer process taking
//    the same drive from a raw client: a Corestore, a Hyperdrive and blind-peering 2.0.1's
//    `addCore()` for the drive's db and blobs cores (what blind-peering's README shows, and what
//    the SDK's seeding does underneath), timed until the blind peer has acknowledged every block of
//    both cores (its `remoteContiguousLength` on our side, as our `backedUp` defines it). The raw
//    client looks on every block it uploads and every 25 ms. A fresh drive on each side each round
//    (written before the clock starts); both clients keep their blind-peer connection across
//    rounds, so neither round pays for connecting but the warm-up.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import b4a from '../packages/sdk/node_modules/b4a/index.js'
import Corestore from '../packages/store/node_modules/corestore/index.js'
import { createSDK, toZ32, type Drive, type SDK } from '../packages/sdk/dist/index.js'
import {
  createTestnet,
  makeTmpDir,
  removeDir,
  startBlindPeer,
  type BlindPeerProcess,
} from '../packages/test-utils/dist/index.js'
import { benchFiles, interleave, pairedRow, report, time } from './lib.ts'

// The raw parts, resolved where the packages that wrap them resolve them.
const requireDrive = createRequire(
  new URL('../packages/drive-wrapper/package.json', import.meta.url),
)
const Hyperdrive = requireDrive('hyperdrive') as typeof import('hyperdrive').default
const requireSeeding = createRequire(new URL('../packages/seeding/package.json', import.meta.url))
const BlindPeering = requireSeeding('blind-peering') as typeof import('blind-peering').default

const FILES = Number(process.env.BENCH_SEEDING_FILES || 1_000)
const TOTAL = Number(process.env.BENCH_SEEDING_BYTES || 10 * 1024 * 1024)
// 11 pairs: with 5, the clone row read 1.080, 1.010, 1.025 in three full runs (per-pair ratios
// 0.95 to 1.18 in one run); a pair takes about 3 s.
const CLONE_ROUNDS = Number(process.env.BENCH_SEEDING_CLONE_ROUNDS || 11)
const BACKUP_ROUNDS = Number(process.env.BENCH_SEEDING_BACKUP_ROUNDS || 41)
const READER = path.join(import.meta.dirname, 'seeding-reader.mjs')

/** 1,000 files of 2..18 KiB (10 MiB in all) in 10 folders, random bytes: the same in every drive. */
const files: Array<[string, Uint8Array]> = [...benchFiles(FILES, TOTAL)].map((f) => [
  f.path,
  f.bytes(),
])

type RawDrive = InstanceType<typeof Hyperdrive>

/** Writes the files into a raw hyperdrive (ours: `drive.hyperdrive`) in one batch. */
async function fill(drive: RawDrive): Promise<void> {
  await drive.ready()
  const batch = drive.batch()
  for (const [name, data] of files) await batch.put(name, data)
  await batch.flush()
}

/** Runs one reader process; resolves with its clone time (ms). */
function clone(url: string, bootstrap: string, blindPeer: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [READER, url, bootstrap, blindPeer, String(TOTAL)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (code !== 0 || !line) reject(new Error(`the reader exited ${code}: ${out}`))
      else resolve((JSON.parse(line.slice('RESULT '.length)) as { ms: number }).ms)
    })
  })
}

/** Whether the blind peer `key` has acknowledged every block of each of `cores`. */
function held(cores: Array<RawDrive['core']>, key: Uint8Array): boolean {
  return cores.every((core) =>
    core.peers.some(
      (p) => b4a.equals(p.remotePublicKey, key) && p.remoteContiguousLength >= core.length,
    ),
  )
}

/** Resolves once the blind peer `key` has acknowledged every block of each of `cores`. */
function acknowledged(cores: Array<RawDrive['core']>, key: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!held(cores, key)) return
      clearInterval(timer)
      for (const core of cores) core.off('upload', check)
      resolve()
    }
    const timer = setInterval(check, 25)
    for (const core of cores) core.on('upload', check)
    check()
  })
}

const testnet = await createTestnet(3)
const bootstrap = JSON.stringify(testnet.bootstrap)
const dirs: string[] = []
const tmp = (name: string) => {
  const dir = makeTmpDir(`bench-seeding-${name}`)
  dirs.push(dir)
  return dir
}
let blindPeer: BlindPeerProcess | null = null
const sdks: SDK[] = []
const rawStore = new Corestore(tmp('raw'))
const rawSwarm = testnet.swarm()
let peering: InstanceType<typeof BlindPeering> | null = null
try {
  blindPeer = await startBlindPeer({ storage: tmp('blind-peer'), bootstrap: testnet.bootstrap })
  const bpKey = blindPeer.key
  const author = await createSDK({ storage: tmp('author'), bootstrap: testnet.bootstrap })
  sdks.push(author)
  peering = new BlindPeering(rawSwarm.dht, rawStore, { keys: [bpKey] })

  // ---- row 1: clone from the blind peer alone, against from the author alone --------------------
  const gone = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  sdks.push(gone) // closed below; again in the cleanup only if the bench fails first
  const kept = gone.Hyperdrive()
  await fill(kept.hyperdrive)
  const keptUrl = kept.url!
  await (await gone.seed(kept, { blindPeers: [bpKey], persist: false })).backedUp()
  await gone.close() // the author of the blind peer's copy is gone
  const served = author.Hyperdrive()
  await fill(served.hyperdrive)
  await author.flush(served)
  const bp = toZ32(bpKey)
  const clonePairs = await interleave(
    { rounds: CLONE_ROUNDS, label: 'seeding clone', unit: 'ms' },
    () => clone(keptUrl, bootstrap, bp),
    () => clone(served.url!, bootstrap, bp),
  )

  // ---- row 2: seed() to backedUp, against raw blind-peering addCore() to acknowledged -------------
  let round = 0
  const backupPairs = await interleave(
    { rounds: BACKUP_ROUNDS, label: 'seeding backedUp', unit: 'ms' },
    async () => {
      const drive: Drive = author.Hyperdrive()
      await fill(drive.hyperdrive)
      const { ms } = await time(async () => {
        const seed = await author.seed(drive, { blindPeers: [bpKey], persist: false })
        await seed.backedUp()
      })
      // The same test the raw side is timed by: backedUp() must not have resolved early.
      const cores = [drive.hyperdrive.core, drive.hyperdrive.blobs!.core]
      if (!held(cores, bpKey))
        throw new Error('backedUp() resolved before the blind peer had it all')
      await author.unseed(drive)
      await drive.close()
      return ms
    },
    async () => {
      const drive = new Hyperdrive(rawStore.namespace(`round-${round++}`))
      await fill(drive)
      const blobs = await drive.getBlobs()
      if (!blobs) throw new Error('The raw drive has no blobs core')
      const { ms } = await time(async () => {
        const opts = { announce: true }
        peering!.addCoreBackground(drive.core, opts)
        peering!.addCoreBackground(blobs.core, opts)
        await acknowledged([drive.core, blobs.core], bpKey)
      })
      await drive.close()
      return ms
    },
  )

  report('seeding', [
    pairedRow({
      name: `seeding: clone ${FILES} files / ${TOTAL >> 20} MiB from a blind peer alone vs from its author alone (fresh reader process)`,
      pairs: clonePairs,
      unit: 'ms',
      better: 'lower',
      target: 0.9,
    }),
    pairedRow({
      name: `seeding: seed() to backedUp, ${FILES} files / ${TOTAL >> 20} MiB, vs raw blind-peering addCore(db, blobs) to acknowledged (same blind-peer process)`,
      pairs: backupPairs,
      unit: 'ms',
      better: 'lower',
      target: 0.9,
    }),
  ])
} finally {
  await peering?.close()
  for (const sdk of sdks) await sdk.close()
  await rawStore.close()
  await blindPeer?.stop()
  await testnet.destroy()
  for (const dir of dirs) await removeDir(dir)
}
