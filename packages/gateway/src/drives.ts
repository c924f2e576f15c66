import type { Drive, SDK } from '@dat-sdk/sdk'
import { HttpError, toHttpError } from './errors.js'

/** What the gateway needs of an SDK: its `Hyperdrive()` shortcut (which caches and resolves names). */
export type GatewaySDK = Pick<SDK, 'Hyperdrive'>

/**
 * Resolves with `promise`, or rejects with `onTimeout()` after `ms`, or with a 503 once `signal`
 * aborts (the client went, or the gateway closes). The timer never holds the process open.
 */
export async function deadline<T>(
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal | null,
  onTimeout: () => HttpError,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let onabort: (() => void) | undefined
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
    timer.unref?.()
    if (signal) {
      onabort = () => reject(new HttpError(503, 'CLOSED', 'The request was aborted'))
      if (signal.aborted) onabort()
      else signal.addEventListener('abort', onabort, { once: true })
    }
  })
  try {
    return await Promise.race([promise, stop])
  } finally {
    clearTimeout(timer)
    if (signal && onabort) signal.removeEventListener('abort', onabort)
  }
}

export function peerTimeout(what: string, ms: number): () => HttpError {
  return () => new HttpError(504, 'PEER_TIMEOUT', `No peer had ${what} within ${ms} ms`)
}

/**
 * The drive at `/hyper/<drive>/`, open and with something in it: through `sdk.Hyperdrive()` (one
 * instance per key, `hyper://domain` resolved by DNS). A drive this SDK cannot write, that has no
 * version yet, waits for a peer to bring one, up to `timeout` ms (else `PEER_TIMEOUT`), as the CLI's
 * `clone` does: `ready()` has looked for peers once, later ones upgrade the core as they connect.
 */
export async function openDrive(
  sdk: GatewaySDK,
  name: string,
  timeout: number,
  signal: AbortSignal | null,
): Promise<Drive> {
  const url = `hyper://${name}/`
  let drive: Drive
  try {
    drive = sdk.Hyperdrive(url) // INVALID_KEY for a name that is neither a key nor a domain
  } catch (err) {
    throw toHttpError(err)
  }
  const onTimeout = peerTimeout(url, timeout)
  const started = Date.now()
  await deadline(drive.ready(), timeout, signal, onTimeout)
  if (drive.writable || drive.version > 0) return drive
  const core = drive.hyperdrive.core
  let onchange = (): void => {}
  const arrived = new Promise<void>((resolve) => {
    onchange = () => {
      if (core.length > 0) resolve()
      else drive.update().catch(noop) // a peer came: ask it for its length
    }
    core.on('append', onchange)
    core.on('peer-add', onchange)
    drive.update({ wait: true }).then(onchange, noop)
  })
  try {
    await deadline(arrived, Math.max(0, timeout - (Date.now() - started)), signal, onTimeout)
  } finally {
    core.off('append', onchange)
    core.off('peer-add', onchange)
  }
  return drive
}

function noop(): void {}
