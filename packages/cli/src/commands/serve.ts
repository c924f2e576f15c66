import { createGateway, type Gateway } from '@dat-sdk/gateway'
import type { SDK } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { untilStopped, type IO } from '../io.js'
import { openSDK } from './common.js'

/**
 * `dat-sdk serve`: an HTTP gateway on this machine, so a browser opens drives at
 * `http://127.0.0.1:<port>/hyper/<key>/<path>`. Prints its address (and, with `--writable`, the
 * token writes need), then serves until Ctrl-C.
 */
export async function serve({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 0) throw new UsageError('serve takes no arguments, only options')
  const sdk = await openSDK(flags)
  try {
    const gateway = await startGateway(sdk, flags, io, flags.writable)
    try {
      io.stdout.write(`${gateway.url}\n`)
      if (gateway.token) io.stdout.write(`token: ${gateway.token}\n`)
      io.stderr.write(
        `Serving hyper:// drives at ${gateway.url}hyper/<key or domain>/<path>` +
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
    await sdk.close()
  }
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
