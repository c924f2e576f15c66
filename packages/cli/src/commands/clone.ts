import path from 'node:path'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { isDatSdkError, parseRef } from '@dat-sdk/sdk'
import { CliError, unlessStopped, untilStopped, type IO } from '../io.js'
import { formatBytes, formatDuration, ProgressBar } from '../progress.js'
import { decryptionHint, driveContent, envEncryptionKey, openSDK } from './common.js'

/**
 * `dat-sdk clone <url> <dir>`: downloads the drive into the folder with a progress bar and exits
 * once every file is there; with `--live` it then keeps the folder following the drive.
 */
export async function clone({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 2)
    throw new UsageError('clone takes a URL and a folder: dat-sdk clone <url> <dir>')
  const [url, target] = positionals
  const dir = path.resolve(target)
  const ref = parseRef(url) // a malformed URL fails here, before any network
  if (!ref || !('key' in ref || 'domain' in ref))
    throw new CliError(`Expected a hyper:// URL, not ${JSON.stringify(url)}`)

  const encryptionKey = envEncryptionKey()
  const started = Date.now()
  const sdk = await openSDK(flags)
  try {
    const drive = sdk.Hyperdrive(url, encryptionKey ? { encryptionKey } : {})
    io.stderr.write(`Looking for ${url}...\n`)
    await unlessStopped(driveContent(drive, url, flags.timeout), io.signal)
    await unlessStopped(
      drive.update().catch(() => false),
      io.signal,
    )

    const bar = new ProgressBar(io.stderr, 'cloning')
    const sync = drive.syncFolder(dir, { live: flags.live })
    let last = { files: 0, bytes: 0 }
    sync.on('progress', (p) => {
      last = p
      // The speed over the last few seconds, from the drive's own counts (payload bytes).
      bar.update({ ...p, speed: drive.stats().downloadSpeed })
    })
    let failures = 0
    sync.on('error', (err: Error) => {
      // A missing or wrong key fails the whole sync: said once, below.
      if (isDatSdkError(err, 'DECRYPTION_FAILED')) return
      failures++
      io.stderr.write(`dat-sdk: ${err.message}\n`)
    })
    await unlessStopped(sync.ready(), io.signal).catch((err: unknown) => {
      throw decryptionHint(err, url, encryptionKey !== null)
    })
    bar.done({ ...last, totalFiles: last.files, totalBytes: last.bytes })
    io.stderr.write(
      `Cloned ${drive.url} into ${dir}: ${last.files} files, ${formatBytes(last.bytes)} in ${formatDuration(Date.now() - started)}\n`,
    )
    if (flags.live) {
      io.stderr.write('Following the drive (Ctrl-C to stop).\n')
      sync.on('synced', (r) => {
        const n = r.added.length + r.changed.length + r.removed.length
        if (n)
          io.stderr.write(
            `synced +${r.added.length} ~${r.changed.length} -${r.removed.length} (version ${drive.version})\n`,
          )
      })
      await untilStopped(io.signal)
    }
    return failures ? 1 : 0
  } finally {
    await sdk.close()
  }
}
