import { parseArgs } from 'node:util'
import { parseHostPort } from '@dat-sdk/sdk'

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface CommonFlags {
  bootstrap: string[] | undefined
  storage: string | undefined
}

export interface Parsed {
  command: string | null
  positionals: string[]
  flags: CommonFlags & {
    live: boolean
    help: boolean
    version: boolean
    port: number | undefined
    host: string | undefined
    writable: boolean
    serve: boolean
    timeout: number
    /** Blind peers' keys (`--blind-peer`, repeatable): share, clone and seed ask them to keep data. */
    blindPeers: string[]
    /** share: make an encrypted drive (its key is printed once, on stderr). */
    encrypt: boolean
    /** seed: list what is seeded. */
    list: boolean
    /** seed: stop seeding this ref. */
    remove: string | undefined
    /** blind-peer: the most bytes it keeps (undefined: blind-peer's default). */
    maxBytes: number | undefined
    /** blind-peer: the Noise keys of clients whose cores it announces (`--trusted`, repeatable). */
    trusted: string[]
    /** serve (and seed): where to serve Prometheus metrics at `/metrics` (`--metrics host:port`). */
    metrics: { host: string; port: number } | undefined
    /** Whether `--timeout` was given (commands with another default than 60 s read this). */
    timeoutGiven: boolean
  }
}

const DEFAULT_TIMEOUT_SECONDS = 60

export function parse(argv: string[]): Parsed {
  let values
  let positionals
  try {
    ;({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        bootstrap: { type: 'string', multiple: true, short: 'b' },
        storage: { type: 'string', short: 's' },
        live: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        writable: { type: 'boolean', default: false },
        serve: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'blind-peer': { type: 'string', multiple: true },
        encrypt: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        remove: { type: 'string' },
        'max-bytes': { type: 'string' },
        trusted: { type: 'string', multiple: true },
        metrics: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    }))
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const [command = null, ...rest] = positionals
  const bootstrap = values.bootstrap
    ?.flatMap((b) => b.split(','))
    .map((b) => b.trim())
    .filter(Boolean)
  for (const b of bootstrap ?? []) {
    try {
      parseHostPort(b)
    } catch {
      throw new UsageError(`--bootstrap takes host:port, not ${JSON.stringify(b)}`)
    }
  }
  let port: number | undefined
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port takes a port number, not ${JSON.stringify(values.port)}`)
  }
  let timeout = DEFAULT_TIMEOUT_SECONDS
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout)
    if (!(timeout > 0))
      throw new UsageError(
        `--timeout takes a number of seconds, not ${JSON.stringify(values.timeout)}`,
      )
  }
  let maxBytes: number | undefined
  if (values['max-bytes'] !== undefined) {
    maxBytes = Number(values['max-bytes'])
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
      throw new UsageError(
        `--max-bytes takes a whole number of bytes, not ${JSON.stringify(values['max-bytes'])}`,
      )
  }
  let metrics: { host: string; port: number } | undefined
  if (values.metrics !== undefined) {
    try {
      const node = parseHostPort(values.metrics)
      metrics = { host: node.host, port: node.port }
    } catch {
      throw new UsageError(`--metrics takes host:port, not ${JSON.stringify(values.metrics)}`)
    }
  }
  return {
    command,
    positionals: rest,
    flags: {
      bootstrap,
      storage: values.storage,
      live: values.live === true,
      help: values.help === true,
      version: values.version === true,
      port,
      host: values.host,
      writable: values.writable === true,
      serve: values.serve === true,
      timeout,
      blindPeers: values['blind-peer'] ?? [],
      encrypt: values.encrypt === true,
      list: values.list === true,
      remove: values.remove,
      maxBytes,
      trusted: values.trusted ?? [],
      metrics,
      timeoutGiven: values.timeout !== undefined,
    },
  }
}

export const USAGE = `Usage: dat-sdk <command> [options]

Commands:
  share <dir>            Share a folder: prints its hyper:// URL and keeps the drive in sync
  clone <url> <dir>      Download a drive into a folder (with --live, keep following it)
  cat <url>/<path>       Print one file of a drive
  testnet                Run a loopback DHT bootstrap node and print its address
  demo                   Two peers on a loopback testnet: share, clone, gossip, multifeed, extensions
  serve [url...]         Run an HTTP gateway so browsers can open drives: http://<key>.localhost:<port>/
                         (the URLs: encrypted drives, served with the key in $DAT_SDK_ENCRYPTION_KEY)
  seed [ref...]          Keep drives, cores, bees and Autobases online (and those seeded before on
                         this storage), with blind peers; --list and --remove <ref> edit the list
  info <url>             What a ref is (core, drive, bee, Autobase), its size, how much is here and
                         with peers; exits 0 when the peers found hold all of it, 1 otherwise
  blind-peer             Run a blind peer: keeps and serves what others ask it to, prints its key

Options:
  -b, --bootstrap <host:port>  DHT bootstrap node (repeat, or comma-separate); default: the public DHT
  -s, --storage <dir>          Where the drives are stored (default: $DAT_SDK_STORAGE or the OS data dir;
                               cat uses a temporary one; blind-peer needs one)
      --live                   clone: keep the folder in sync after the first copy
      --timeout <seconds>      clone, cat, seed, info: how long to look for a peer (default ${DEFAULT_TIMEOUT_SECONDS};
                               info: 10)
      --port <port>            testnet: the port of the bootstrap node; serve, share --serve: the
                               gateway's port (default: any free one)
      --host <address>         serve, share --serve: the address the gateway binds (default 127.0.0.1)
      --writable               serve: take PUT and DELETE with the printed token, on drives it can write
      --serve                  share: also serve the folder over HTTP and print its page's address
      --blind-peer <key>       share, clone, seed, info: use this blind peer (its public key; repeat):
                               share and seed ask it to keep the data, clone reads from it, info says
                               whether it holds all of the ref
      --encrypt                share: make an encrypted drive; its key is printed once, on stderr
      --list                   seed: list what this storage seeds (also while a seeder runs on it)
      --remove <ref>           seed: stop seeding a ref and forget it (also while a seeder runs)
      --max-bytes <n>          blind-peer: the most bytes it keeps (default 100 GB)
      --trusted <key>          blind-peer: announce the cores of this client (its public key; repeat)
      --metrics <host:port>    serve, seed: also serve Prometheus metrics at http://<host:port>/metrics
  -h, --help                   Show this help
  -v, --version                Show the version

Environment:
  $DAT_SDK_ENCRYPTION_KEY      The key of an encrypted drive (clone, cat, seed, share, serve): never an argument
  $DAT_SDK_STORAGE, $DAT_SDK_BOOTSTRAP  The defaults of --storage and --bootstrap
`
