/// <reference path="../../types/blind-peer.d.ts" />
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import HyperDHT from 'hyperdht'
import type Hyperswarm from 'hyperswarm'
import { createHyperswarm } from '@dat-sdk/networker'
import { DatSdkError, toKey, toZ32 } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, unlessStopped, untilStopped, type IO } from '../io.js'
import { formatBytes } from '../progress.js'

/** blind-peer's own default for `maxBytes` (its index.js), shown when `--max-bytes` is not given. */
const DEFAULT_MAX_BYTES = 100_000_000_000
/** After this long without the DHT answering, say so (ms). */
const SLOW_LISTEN = 3000

/**
 * `dat-sdk blind-peer --storage DIR`: runs a `blind-peer` server (Holepunch's: it keeps and serves
 * the cores clients ask it to keep, and cannot read encrypted ones), prints its public key on
 * stdout and serves until Ctrl-C.
 */
export async function blindPeer({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 0) throw new UsageError('blind-peer takes no arguments')
  if (flags.storage === undefined || flags.storage === '') {
    throw new UsageError('blind-peer needs --storage <dir>: where it keeps what it is given')
  }
  const trusted = flags.trusted.map((key) => {
    try {
      return toKey(key)
    } catch {
      throw new UsageError(
        `--trusted takes a public key (hex, z-base-32 or hyper://), not ${JSON.stringify(key)}`,
      )
    }
  })
  const bootstrap = flags.bootstrap ?? envBootstrap()
  const dir = path.resolve(flags.storage)
  await fs.promises.mkdir(dir, { recursive: true })
  const keyPair = HyperDHT.keyPair(await identitySeed(path.join(dir, 'identity')))

  // Loaded here only: loading blind-peer turns on hypercore's SMALL_WANTS for the whole process,
  // which no other command (and never the SDK) should run with.
  const { default: BlindPeer } = await import('blind-peer')
  // Handed in so that on a loopback testnet its DHT binds 127.0.0.1 and is not firewalled (with a
  // swarm of its own, clients' connections never reach it there); the key pair is the blind
  // peer's identity, the same on every start from this storage.
  const swarm = createHyperswarm({ ...(bootstrap ? { bootstrap } : {}), keyPair })
  const maxBytes = flags.maxBytes ?? DEFAULT_MAX_BYTES
  let server: InstanceType<typeof BlindPeer> | null = null
  try {
    server = new BlindPeer(path.join(dir, 'db'), { swarm, maxBytes, trustedPubKeys: trusted })
    await unlessStopped(opened(server, dir), io.signal)
    // Listening announces the key on the DHT: say so when the DHT is slow to answer (or absent).
    const slow = setTimeout(() => {
      const where = bootstrap ? bootstrap.join(',') : 'the public HyperDHT'
      io.stderr.write(`Still announcing on the DHT (${where}); is --bootstrap right?\n`)
    }, SLOW_LISTEN)
    try {
      await unlessStopped(server.listen(), io.signal)
    } finally {
      clearTimeout(slow)
    }
    const key = toZ32(server.publicKey)
    io.stdout.write(`${key}\n`)
    const { cores, bytesAllocated } = server.digest
    io.stderr.write(
      [
        `Blind peer running. Storage: ${dir} (${cores} ${cores === 1 ? 'core' : 'cores'}, ${formatBytes(bytesAllocated)} of at most ${formatBytes(maxBytes)}${flags.maxBytes === undefined ? '; set with --max-bytes' : ''}).`,
        trusted.length
          ? `It announces the cores of ${trusted.length} trusted ${trusted.length === 1 ? 'key' : 'keys'}; readers of the others reach it with --blind-peer.`
          : 'It announces no client’s cores (no --trusted key): readers reach it with --blind-peer.',
        `Use it with: dat-sdk share <dir> --blind-peer ${key}`,
        `        (and with clone and seed: --blind-peer ${key})`,
        'Ctrl-C to stop.',
        '',
      ].join('\n'),
    )
    await untilStopped(io.signal)
    return 0
  } finally {
    // As blind-peer closes a swarm of its own: the connections first, then its storage.
    await leave(swarm)
    await server?.close().catch(() => {})
  }
}

/** How long unannouncing may take on the way out before the DHT node is dropped at once. */
const UNANNOUNCE_TIMEOUT = 500

/**
 * Destroys the swarm. Unannouncing waits on the DHT; when it does not answer in time (the DHT is
 * gone), drop the DHT node, and what waited on it ends: the command must exit within 2 s.
 */
async function leave(swarm: Hyperswarm): Promise<void> {
  const destroyed = swarm.destroy({ force: true }).catch(() => {})
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), UNANNOUNCE_TIMEOUT)
  })
  const result = await Promise.race([destroyed, late])
  clearTimeout(timer)
  if (result === 'late') {
    await swarm.dht.destroy({ force: true }).catch(() => {})
    await destroyed
  }
}

/** Opens the blind peer; its storage held by another process is `STORAGE_LOCKED`. */
async function opened(server: { ready(): Promise<void> }, dir: string): Promise<void> {
  try {
    await server.ready()
  } catch (err) {
    // RocksDB's lock message, as @dat-sdk/store recognises it for the SDK's storage.
    const message = err instanceof Error ? err.message : String(err)
    if (/could not be locked|lock hold|LOCK:|Resource temporarily unavailable/i.test(message)) {
      throw new DatSdkError('STORAGE_LOCKED', `Storage ${dir} is locked`, {
        cause: err,
      })
    }
    throw err
  }
}

/**
 * The 32-byte seed of the blind peer's key pair, kept in `file` (mode 0600) so that its public key
 * is the same on every start from the same storage. Written whole or not at all.
 */
async function identitySeed(file: string): Promise<Uint8Array> {
  for (;;) {
    try {
      const seed = await fs.promises.readFile(file)
      if (seed.byteLength !== 32) {
        throw new CliError(`${file} is not a blind peer's identity (32 bytes); move it away`)
      }
      return seed
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const tmp = `${file}.${process.pid}.tmp`
    await fs.promises.writeFile(tmp, crypto.randomBytes(32), { mode: 0o600 })
    try {
      // link() fails when another process made the file first: then we read theirs.
      await fs.promises.link(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      await fs.promises.unlink(tmp)
    }
  }
}

/** `$DAT_SDK_BOOTSTRAP` (comma-separated `host:port`), the default of `--bootstrap`, as the SDK reads it. */
function envBootstrap(): string[] | undefined {
  const list = process.env.DAT_SDK_BOOTSTRAP?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return list && list.length > 0 ? list : undefined
}
