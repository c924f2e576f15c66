import { parseRef, toHex, toKey, type Drive, type KeyLike, type SDK } from '@dat-sdk/sdk'
import { HttpError, toHttpError } from './errors.js'

/**
 * What the gateway needs of an SDK: its `Hyperdrive()` shortcut (which caches and resolves names),
 * and `resolveName()` when it has one (to find the encryption key of a drive named by a domain).
 */
export type GatewaySDK = Pick<SDK, 'Hyperdrive'> & Partial<Pick<SDK, 'resolveName'>>

/**
 * The encryption keys of the encrypted drives a gateway serves: drive key (any spelling) to its
 * encryption key, as a `Map` or a plain object, or a function of the drive's key that gives its
 * encryption key (or null: a public drive).
 */
export type EncryptionKeys =
  | ReadonlyMap<KeyLike, KeyLike>
  | Readonly<Record<string, KeyLike>>
  | ((drive: Uint8Array) => KeyLike | null | undefined)

/** What `opts.encryptionKeys` becomes: the key of a drive, or null. Throws `TypeError` when malformed. */
export type KeyResolver = (drive: Uint8Array) => Uint8Array | null

/** Checks `opts.encryptionKeys` up front (a malformed key is a `TypeError` that never shows it). */
export function keyResolver(keys: EncryptionKeys | undefined): KeyResolver | null {
  if (keys === undefined || keys === null) return null
  if (typeof keys === 'function') {
    return (drive) => {
      const key = keys(drive)
      return key === null || key === undefined ? null : encryptionKeyOf(key)
    }
  }
  if (typeof keys !== 'object') {
    throw new TypeError('opts.encryptionKeys is a Map, an object or a function')
  }
  const byHex = new Map<string, Uint8Array>()
  const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys)
  for (const [drive, key] of entries) {
    let hex: string
    try {
      hex = toHex(drive as KeyLike)
    } catch {
      throw new TypeError('opts.encryptionKeys: a drive is named by its key (hex, z-base-32)')
    }
    byHex.set(hex, encryptionKeyOf(key as KeyLike))
  }
  return (drive) => byHex.get(toHex(drive)) ?? null
}

function encryptionKeyOf(key: KeyLike): Uint8Array {
  let bytes: Uint8Array | null = null
  try {
    bytes = toKey(key)
  } catch {
    bytes = null
  }
  if (bytes === null || bytes.byteLength !== 32) {
    throw new TypeError('opts.encryptionKeys: an encryption key is 32 bytes (hex, z-base-32)')
  }
  return bytes
}

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
  keys: KeyResolver | null = null,
): Promise<Drive> {
  const url = `hyper://${name}/`
  const onTimeout = peerTimeout(url, timeout)
  const started = Date.now()
  let drive: Drive
  try {
    const encryptionKey = keys ? await encryptionKeyFor(sdk, name, keys, timeout, signal) : null
    // INVALID_KEY for a name that is neither a key nor a domain
    drive = sdk.Hyperdrive(url, encryptionKey ? { encryptionKey } : {})
  } catch (err) {
    throw toHttpError(err)
  }
  await deadline(drive.ready(), timeout, signal, onTimeout)
  if (drive.writable || drive.version > 0) return checked(drive, started, timeout, signal)
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
  return checked(drive, started, timeout, signal)
}

/** The drives whose header check passed. */
const passed = new WeakSet<Drive>()

/**
 * `drive`, once its header check passed: the gateway reads through `drive.hyperdrive`, which does
 * not check, so an encrypted drive opened without its key (or with a wrong one) must fail here
 * with `DECRYPTION_FAILED`, never hand out what the key decoded. A checked read (of any path)
 * runs the check (block 0, from a peer when it is not here), once per drive.
 */
async function checked(
  drive: Drive,
  started: number,
  timeout: number,
  signal: AbortSignal | null,
): Promise<Drive> {
  // Once passed, the check holds for the drive's life (its key does not change); a new drive of
  // ours has nothing to check.
  if (drive.version === 0 || passed.has(drive)) return drive
  const left = Math.max(0, timeout - (Date.now() - started))
  // Any path: the check comes before the lookup, which is one the gateway often makes anyway.
  await deadline(
    drive.exists('/index.html'),
    left,
    signal,
    peerTimeout(`hyper://${toHex(drive.key!)}/`, timeout),
  )
  passed.add(drive)
  return drive
}

/** The encryption key `keys` gives the drive `name` (a key, or a domain resolved first), or null. */
async function encryptionKeyFor(
  sdk: GatewaySDK,
  name: string,
  keys: KeyResolver,
  timeout: number,
  signal: AbortSignal | null,
): Promise<Uint8Array | null> {
  const ref = parseRef(`hyper://${name}/`)
  let key: Uint8Array | null = ref && 'key' in ref ? ref.key : null
  if (key === null && ref && 'domain' in ref && sdk.resolveName) {
    const resolving = sdk.resolveName(`hyper://${ref.domain}`)
    key = await deadline(resolving, timeout, signal, peerTimeout(`hyper://${name}`, timeout))
  }
  if (key === null) return null
  try {
    return keys(key)
  } catch {
    throw new HttpError(500, 'INTERNAL', 'The encryption key given for this drive is malformed')
  }
}

function noop(): void {}
