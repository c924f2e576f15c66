import fs from 'node:fs'
import path from 'node:path'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, unlessStopped, untilStopped, type IO } from '../io.js'
import { formatBytes, formatDuration, ProgressBar } from '../progress.js'
import { openSDK } from './common.js'
import { browserUrl, startGateway } from './serve.js'
import type { Gateway } from '@dat-sdk/gateway'

/** `dat-sdk share <dir>`: prints the drive's URL, then keeps the folder and the drive the same. */
export async function share({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('share takes one folder: dat-sdk share <dir>')
  const dir = path.resolve(positionals[0])
  const stat = await fs.promises.stat(dir).catch(() => null)
  if (!stat || !stat.isDirectory()) throw new CliError(`Not a folder: ${dir}`)

  const started = Date.now()
  const sdk = await openSDK(flags)
  let gateway: Gateway | null = null
  try {
    // Not synced until we know the drive is ours: a read-only drive would sync the other way,
    // writing the drive's files over the folder.
    const drive = sdk.Hyperdrive(dir, { sync: false })
    await unlessStopped(drive.ready(), io.signal)
    if (!drive.writable) {
      throw new CliError(
        `${path.join(dir, '.dat')} names a drive this storage cannot write (was it shared with another --storage, or cloned?)`,
      )
    }
    const sync = drive.syncFolder(dir)
    sync.on('error', (err: Error) => io.stderr.write(`dat-sdk: ${err.message}\n`))
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
    // With --serve, the folder's page on a local gateway: edit a file, reload the page.
    if (flags.serve) gateway = await startGateway(sdk, flags, io)
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
  } finally {
    await gateway?.close()
    await sdk.close()
  }
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
