import { createSDK, isDatSdkError, toKey, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import type { CommonFlags } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, within } from '../io.js'

/** The SDK a command runs on, from `--storage`, `--bootstrap` and `--blind-peer`. */
export function openSDK(
  flags: CommonFlags & { blindPeers?: string[] },
  defaults: { storage?: string | false } = {},
): Promise<SDK> {
  const blindPeers = blindPeerKeys(flags.blindPeers ?? [])
  return createSDK({
    storage: flags.storage ?? defaults.storage,
    ...(flags.bootstrap ? { bootstrap: flags.bootstrap } : {}),
    ...(blindPeers.length ? { blindPeers } : {}),
  })
}

/** `--blind-peer` keys, checked before anything opens: a malformed one is a usage mistake. */
export function blindPeerKeys(keys: string[]): Uint8Array[] {
  return keys.map((key) => {
    try {
      return toKey(key)
    } catch {
      throw new UsageError(
        `--blind-peer takes a blind peer's public key (hex, z-base-32), not ${JSON.stringify(key)}`,
      )
    }
  })
}

/** Where an encryption key comes from: never an argument, which other users can see (ps). */
export const ENCRYPTION_KEY_ENV = 'DAT_SDK_ENCRYPTION_KEY'

/**
 * The 32-byte key in `$DAT_SDK_ENCRYPTION_KEY` (hex or z-base-32), or null when it is unset or
 * empty. A malformed one is an error that never repeats what it holds.
 */
export function envEncryptionKey(env: NodeJS.ProcessEnv = process.env): Uint8Array | null {
  const value = env[ENCRYPTION_KEY_ENV]?.trim()
  if (!value) return null
  let key: Uint8Array
  try {
    key = toKey(value)
  } catch {
    key = new Uint8Array(0)
  }
  if (key.byteLength !== 32 || /^(hyper|dat):/i.test(value)) {
    throw new CliError(
      `$${ENCRYPTION_KEY_ENV} is not an encryption key (32 bytes: 64 hex or 52 z-base-32 characters)`,
    )
  }
  return key
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

/** A `DECRYPTION_FAILED` said for the command line: which drive, and what to set; others as they are. */
export function decryptionHint(err: unknown, url: string, hadKey: boolean): unknown {
  if (!isDatSdkError(err, 'DECRYPTION_FAILED')) return err
  return new CliError(
    hadKey
      ? `${url} does not decode with the key in $${ENCRYPTION_KEY_ENV} (DECRYPTION_FAILED)`
      : `${url} is encrypted: set $${ENCRYPTION_KEY_ENV} to its key (DECRYPTION_FAILED)`,
  )
}
