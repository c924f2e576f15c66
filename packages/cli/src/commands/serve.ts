import { createGateway, type EncryptionKeys, type Gateway } from '@dat-sdk/gateway'
import { parseRef, toZ32, type SDK } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { untilStopped, type IO } from '../io.js'
import { serveMetrics, type MetricsServer } from '../metrics.js'
import { ENCRYPTION_KEY_ENV, envEncryptionKey, openSDK } from './common.js'

/**
 * `dat-sdk serve [url...]`: an HTTP gateway on this machine, so a browser opens drives at
 * `http://<key>.localhost:<port>/<path>` (one origin per drive) and scripts at
 * `http://127.0.0.1:<port>/hyper/<key>/<path>`. Prints both addresses (and, with `--writable`,
 * the token writes need), then serves until Ctrl-C. The drives named (by key: a domain could
 * change hands) are encrypted ones, served with the key in `$DAT_SDK_ENCRYPTION_KEY`.
 */
export async function serve({ positionals, flags }: Parsed, io: IO): Promise<number> {
  const encryptionKeys = keysOf(positionals)
  const sdk = await openSDK(flags)
  let metrics: MetricsServer | null = null
  try {
    if (flags.metrics) metrics = await serveMetrics(sdk, flags.metrics)
    const gateway = await startGateway(sdk, flags, io, flags.writable, encryptionKeys)
    try {
      io.stdout.write(`${gateway.url}\n`)
      for (const key of encryptionKeys?.keys() ?? []) {
        const page = browserUrl(gateway, toZ32(key))
        io.stderr.write(
          `Serving hyper://${toZ32(key)}/ with the key in $${ENCRYPTION_KEY_ENV}` +
            (page ? `, to its own origin only: ${page}` : '') +
            '\n',
        )
      }
      if (metrics) io.stdout.write(`metrics: ${metrics.url}\n`)
      const browser = browserUrl(gateway)
      if (browser) io.stdout.write(`${browser}\n`)
      if (gateway.token) io.stdout.write(`token: ${gateway.token}\n`)
      io.stderr.write(
        'Serving hyper:// drives' +
          (browser
            ? ` to browsers at ${browserUrl(gateway, '<key>')}<path> (one origin each),`
            : '') +
          ` at ${gateway.url}hyper/<key or domain>/<path>` +
          (gateway.token
            ? `; PUT and DELETE need the header "Authorization: Bearer ${gateway.token}".`
            : ' (read-only).') +
          ' Ctrl-C to stop.\n',
      )
      await untilStopped(io.signal)
      return 0
    } finally {
      await gateway.close()
    }
  } finally {
    await metrics?.close()
    await sdk.close()
  }
}

/**
 * The gateway's address for browsers, `http://localhost:<port>/`, or with `label` (a z-base-32
 * key) the drive's own origin `http://<label>.localhost:<port>/`; null when the gateway listens on
 * an address that `localhost` does not reach.
 */
export function browserUrl(gateway: Gateway, label?: string): string | null {
  const { hostname, port } = new URL(gateway.url)
  if (!/^(127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0|\[::\])$/.test(hostname)) return null
  return `http://${label ? `${label}.` : ''}localhost:${port}/`
}

/**
 * The encryption keys `serve` is given: the drives named in `positionals`, each with the key in
 * `$DAT_SDK_ENCRYPTION_KEY` (which must then be set); none without either. A key without a drive
 * to use it for is a usage error: serving every drive with it would garble the public ones.
 */
function keysOf(positionals: string[]): Map<Uint8Array, Uint8Array> | undefined {
  const key = envEncryptionKey()
  if (positionals.length === 0) {
    if (key) {
      throw new UsageError(
        `$${ENCRYPTION_KEY_ENV} is set: name the encrypted drive it is for (dat-sdk serve <url>)`,
      )
    }
    return undefined
  }
  if (!key) {
    throw new UsageError(
      `serve takes the URLs of encrypted drives only, with their key in $${ENCRYPTION_KEY_ENV}`,
    )
  }
  const keys = new Map<Uint8Array, Uint8Array>()
  for (const url of positionals) {
    const ref = parseRef(url)
    if (!ref || !('key' in ref)) {
      throw new UsageError(`serve names an encrypted drive by its key or URL, not ${url}`)
    }
    keys.set(ref.key, key)
  }
  return keys
}

/** The gateway of `serve` and `share --serve`, on `--host` / `--port`. */
export async function startGateway(
  sdk: SDK,
  flags: Parsed['flags'],
  io: IO,
  writable = false,
  encryptionKeys?: EncryptionKeys,
): Promise<Gateway> {
  const host = flags.host ?? '127.0.0.1'
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    io.stderr.write(
      `dat-sdk: the gateway listens on ${host}: whoever can reach it can read drives through it\n`,
    )
  }
  return createGateway(sdk, {
    host,
    writable,
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(encryptionKeys ? { encryptionKeys } : {}),
  })
}
