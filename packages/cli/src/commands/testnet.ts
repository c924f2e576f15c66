import createTestnet from 'hyperdht/testnet.js'
import { parseBootstrap } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { untilStopped, type IO } from '../io.js'

/** `dat-sdk testnet`: a loopback DHT (bootstrap node and two more) until Ctrl-C; prints the address. */
export async function testnet({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 0) throw new UsageError('testnet takes no arguments')
  const bootstrap = flags.bootstrap && parseBootstrap(flags.bootstrap)
  const net = await createTestnet(3, {
    host: '127.0.0.1',
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(bootstrap ? { bootstrap } : {}),
  })
  try {
    const address = `${net.bootstrap[0].host}:${net.bootstrap[0].port}`
    io.stdout.write(`${address}\n`)
    io.stderr.write(
      `Loopback testnet running. Use it with: dat-sdk share <dir> --bootstrap ${address}\nCtrl-C to stop.\n`,
    )
    await untilStopped(io.signal)
    return 0
  } finally {
    await net.destroy()
  }
}
