import { createSDK, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import type { CommonFlags } from '../args.js'
import { CliError, within } from '../io.js'

/** The SDK a command runs on, from `--storage` and `--bootstrap`. */
export function openSDK(
  flags: CommonFlags,
  defaults: { storage?: string | false } = {},
): Promise<SDK> {
  return createSDK({
    storage: flags.storage ?? defaults.storage,
    ...(flags.bootstrap ? { bootstrap: flags.bootstrap } : {}),
  })
}

/**
 * Waits until the drive has something: `ready()` already looked for peers once; when nothing
 * came, wait for the first version to arrive, up to `seconds`.
 */
export async function driveContent(drive: SDKDrive, url: string, seconds: number): Promise<void> {
  const notFound = `No peer shared ${url} within ${seconds} s (is it being shared, on the same --bootstrap?)`
  await within(drive.ready(), seconds * 1000, notFound)
  const core = drive.hyperdrive.core
  if (core.length > 0) return
  await within(
    new Promise<void>((resolve) => {
      const check = () => {
        if (core.length === 0) return
        core.off('append', check)
        resolve()
      }
      core.on('append', check)
      drive.update({ wait: true }).then(check, () => {})
    }),
    seconds * 1000,
    notFound,
  )
}

/** `hyper://<key or domain>/<path>` split into the drive's URL and the path in it. */
export function splitFileURL(input: string): { drive: string; path: string } {
  const m = /^((?:hyper|dat):\/\/[^/?#]+)(\/[^?#]*)?/i.exec(input)
  if (!m) throw new CliError(`Expected hyper://<key>/<path>, not ${JSON.stringify(input)}`)
  return { drive: m[1], path: decodeURIComponent(m[2] ?? '/') }
}
