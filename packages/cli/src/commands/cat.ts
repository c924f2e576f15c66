import { once } from 'node:events'
import { parseRef } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, type IO } from '../io.js'
import { decryptionHint, driveContent, envEncryptionKey, openSDK, splitFileURL } from './common.js'

/** `dat-sdk cat hyper://<key>/<path>`: writes one file of a drive to stdout. */
export async function cat({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 1)
    throw new UsageError('cat takes one file URL: dat-sdk cat hyper://<key>/<path>')
  const { drive: url, path } = splitFileURL(positionals[0])
  if (path === '/' || path === '') throw new CliError(`Give the path of a file: ${url}/<path>`)
  parseRef(url) // a malformed URL fails here, before any network

  // A one-off read needs no storage of its own unless asked: a temporary store, removed on exit.
  const encryptionKey = envEncryptionKey()
  const sdk = await openSDK(flags, { storage: false })
  try {
    const drive = sdk.Hyperdrive(url, encryptionKey ? { encryptionKey } : {})
    await driveContent(drive, url, flags.timeout)
    await drive.update().catch(() => false)
    const entry = await drive.entry(path).catch((err: unknown) => {
      throw decryptionHint(err, url, encryptionKey !== null)
    })
    if (!entry) throw new CliError(`No file ${path} in ${drive.url ?? url}`)
    if (!entry.value.blob) {
      if (entry.value.linkname) throw new CliError(`${path} is a link to ${entry.value.linkname}`)
      return 0 // an empty file
    }
    for await (const chunk of drive.createReadStream(path)) {
      if (!io.stdout.write(chunk)) await once(io.stdout, 'drain')
    }
    return 0
  } finally {
    await sdk.close()
  }
}
