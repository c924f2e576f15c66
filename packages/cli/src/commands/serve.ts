import { createGateway, type Gateway } from '@dat-sdk/gateway'
import type { SDK } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { untilStopped, type IO } from '../io.js'
import { serveMetrics, type MetricsServer } from '../metrics.js'
import { openSDK } from './common.js'

/**
 * `dat-sdk serve`: an HTTP gateway on this machine, so a browser opens drives at
 * `http://<key>.localhost:<port>/<path>` (one origin per drive) and scripts at
 * `http://127.0.0.1:<port>/hyper/<key>/<path>`. Prints both addresses (and, with `--writable`,
 * the token writes need), then serves until Ctrl-C.
 */
export async function serve({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 0) throw new UsageError('serve takes no arguments, only options')
  const sdk = await openSDK(flags)
  let metrics: MetricsServer | null = null
  try {
    if (flags.metrics) metrics = await serveMetrics(sdk, flags.metrics)
    const gateway = await startGateway(sdk, flags, io, flags.writable)
    try {
      io.stdout.write(`${gateway.url}\n`)
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

/** The gateway of `serve` and `share --serve`, on `--host` / `--port`. */
export async function startGateway(
  sdk: SDK,
  flags: Parsed['flags'],
  io: IO,
  writable = false,
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
  })
}
