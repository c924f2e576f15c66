import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { isDatSdkError, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, unlessStopped, untilStopped, type IO } from '../io.js'
import { formatBytes, formatDuration, ProgressBar } from '../progress.js'
import { blindPeerKeys, ENCRYPTION_KEY_ENV, envEncryptionKey, openSDK } from './common.js'
import { browserUrl, startGateway } from './serve.js'
import type { Gateway } from '@dat-sdk/gateway'

/** `dat-sdk share <dir>`: prints the drive's URL, then keeps the folder and the drive the same. */
export async function share({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('share takes one folder: dat-sdk share <dir>')
  const dir = path.resolve(positionals[0])
  const stat = await fs.promises.stat(dir).catch(() => null)
  if (!stat || !stat.isDirectory()) throw new CliError(`Not a folder: ${dir}`)

  const blindPeers = blindPeerKeys(flags.blindPeers)
  const key = encryptionKeyFor(dir, flags.encrypt, io)

  const started = Date.now()
  const sdk = await openSDK(flags)
  let gateway: Gateway | null = null
  try {
    // Not synced until we know the drive is ours: a read-only drive would sync the other way,
    // writing the drive's files over the folder.
    const drive = sdk.Hyperdrive(dir, { sync: false, ...(key ? { encryptionKey: key.key } : {}) })
    await unlessStopped(drive.ready(), io.signal)
    if (key?.fresh) {
      // Printed once, here, on stderr only: never in a URL, a log line or an argument.
      io.stderr.write(
        `Encryption key (shown once): ${toZ32(key.key)}\n` +
          `Keep it: readers need it, and so does this share when it starts again. Pass it in $${ENCRYPTION_KEY_ENV}, never as an argument.\n`,
      )
    }
    if (!drive.writable) {
      throw new CliError(
        `${path.join(dir, '.dat')} names a drive this storage cannot write (was it shared with another --storage, or cloned?)`,
      )
    }
    const sync = drive.syncFolder(dir)
    sync.on('error', (err: Error) => {
      // A missing or wrong key stops the sync before it copies anything: said once, below.
      if (!isDatSdkError(err, 'DECRYPTION_FAILED')) io.stderr.write(`dat-sdk: ${err.message}\n`)
    })
    io.stdout.write(`${drive.url}\n`)

    const bar = new ProgressBar(io.stderr, 'importing')
    sync.on('progress', (p) => bar.update(p))
    await unlessStopped(sync.ready(), io.signal)
    const files = await countFiles(drive)
    bar.done({
      files: files.count,
      bytes: files.bytes,
      totalFiles: files.count,
      totalBytes: files.bytes,
    })
    await unlessStopped(sdk.flush(drive), io.signal)
    if (blindPeers.length) await unlessStopped(backUp(sdk, drive, io), io.signal)
    // With --serve, the folder's page on a local gateway: edit a file, reload the page.
    if (flags.serve) {
      // An encrypted drive is served with its key (and, as the gateway does, no CORS headers).
      const keys = drive.encryptionKey ? new Map([[drive.key!, drive.encryptionKey]]) : undefined
      gateway = await startGateway(sdk, flags, io, false, keys)
    }
    if (gateway) {
      const z32 = drive.url!.slice('hyper://'.length, -1)
      io.stdout.write(`${gateway.url}hyper/${z32}/\n`)
      const page = browserUrl(gateway, z32) // the folder on an origin of its own, for a browser
      if (page) io.stdout.write(`${page}\n`)
    }
    io.stderr.write(
      `Sharing ${dir} (${files.count} files, ${formatBytes(files.bytes)}; ready in ${formatDuration(Date.now() - started)})${gateway ? `, served at ${gateway.url}` : ''}. Ctrl-C to stop.\n`,
    )
    sync.on('synced', (r) => {
      const parts = [
        r.added.length ? `+${r.added.length}` : '',
        r.changed.length ? `~${r.changed.length}` : '',
        r.removed.length ? `-${r.removed.length}` : '',
      ].filter(Boolean)
      if (parts.length) io.stderr.write(`synced ${parts.join(' ')} (version ${drive.version})\n`)
    })
    await untilStopped(io.signal)
    return 0
  } catch (err) {
    // The drive opened (or its sync started) without its key, or with another one.
    if (isDatSdkError(err, 'DECRYPTION_FAILED')) {
      throw new CliError(
        key
          ? `${dir} was shared with another encryption key than $${ENCRYPTION_KEY_ENV}, or none (DECRYPTION_FAILED)`
          : `${dir} was shared with --encrypt: set $${ENCRYPTION_KEY_ENV} to its key (DECRYPTION_FAILED)`,
      )
    }
    throw err
  } finally {
    await gateway?.close()
    await sdk.close()
  }
}

/**
 * The key of the drive to share: `$DAT_SDK_ENCRYPTION_KEY` when set (the key of a folder shared
 * encrypted before, or the one to use); with `--encrypt` and no key set, a fresh random one
 * (printed once, once the drive is open), for a folder not shared yet.
 */
function encryptionKeyFor(
  dir: string,
  encrypt: boolean,
  io: IO,
): { key: Uint8Array; fresh: boolean } | null {
  const fromEnv = envEncryptionKey()
  if (fromEnv) {
    if (encrypt) io.stderr.write(`Encrypting with the key in $${ENCRYPTION_KEY_ENV}.\n`)
    return { key: fromEnv, fresh: false }
  }
  if (!encrypt) return null
  if (fs.existsSync(path.join(dir, '.dat'))) {
    throw new CliError(
      `${dir} was shared before (it has a .dat): a drive's encryption cannot change. To share it encrypted again, set $${ENCRYPTION_KEY_ENV} to the key it was shared with`,
    )
  }
  return { key: crypto.randomBytes(32), fresh: true }
}

/**
 * Seeds the drive to the blind peers given with `--blind-peer` (for this run only: \`dat-sdk
 * seed\` records what it seeds), and says on stderr each time it becomes backed up, or stops being.
 */
async function backUp(sdk: SDK, drive: SDKDrive, io: IO): Promise<void> {
  const seed = await sdk.seed(drive, { persist: false })
  let backedUp = false
  const report = (s: ReturnType<typeof seed.status>) => {
    if (s.backedUp === backedUp) return
    backedUp = s.backedUp
    const n = s.blindPeers.length
    io.stderr.write(
      backedUp
        ? `backed up: ${n} ${n === 1 ? 'blind peer holds' : 'blind peers hold'} all ${s.localBlocks} blocks\n`
        : `not backed up: new blocks are on their way to the blind ${n === 1 ? 'peer' : 'peers'}\n`,
    )
  }
  seed.on('status', report)
  report(seed.status())
}

async function countFiles(drive: {
  list(
    path: string,
    opts: { recursive: boolean },
  ): AsyncIterable<{ value: { blob?: { byteLength: number } | null } }>
}): Promise<{ count: number; bytes: number }> {
  let count = 0
  let bytes = 0
  for await (const entry of drive.list('/', { recursive: true })) {
    count++
    bytes += entry.value.blob?.byteLength ?? 0
  }
  return { count, bytes }
}
