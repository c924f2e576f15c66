import fs from 'node:fs'
import { parse, USAGE, UsageError, type Parsed } from './args.js'
import { describeError, Stopped, type IO } from './io.js'

type Command = (parsed: Parsed, io: IO) => Promise<number>

// Loaded on use, so that --help and a usage mistake answer without loading the whole stack.
const COMMANDS: Record<string, () => Promise<Command>> = {
  share: async () => (await import('./commands/share.js')).share,
  clone: async () => (await import('./commands/clone.js')).clone,
  cat: async () => (await import('./commands/cat.js')).cat,
  testnet: async () => (await import('./commands/testnet.js')).testnet,
  demo: async () => (await import('./commands/demo.js')).demo,
  serve: async () => (await import('./commands/serve.js')).serve,
  seed: async () => (await import('./commands/seed.js')).seed,
  'blind-peer': async () => (await import('./commands/blind-peer.js')).blindPeer,
  info: async () => (await import('./commands/info.js')).info,
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf-8')) as {
    version: string
  }
  return pkg.version
}

/**
 * Runs the `dat-sdk` command line and resolves with the exit code. Errors become one line on
 * stderr (`dat-sdk: ...`), never a stack trace: exit 2 for a usage mistake, 1 for anything else.
 */
export async function main(argv: string[], io: IO): Promise<number> {
  let parsed: Parsed
  try {
    parsed = parse(argv)
    if (parsed.flags.version) {
      io.stdout.write(`${version()}\n`)
      return 0
    }
    if (parsed.flags.help || parsed.command === null || parsed.command === 'help') {
      ;(parsed.command === null && !parsed.flags.help ? io.stderr : io.stdout).write(USAGE)
      return parsed.command === null && !parsed.flags.help ? 2 : 0
    }
    const load = Object.hasOwn(COMMANDS, parsed.command) ? COMMANDS[parsed.command] : null
    if (!load) throw new UsageError(`Unknown command ${JSON.stringify(parsed.command)}`)
    return await (
      await load()
    )(parsed, io)
  } catch (err) {
    if (err instanceof Stopped) return 130 // Ctrl-C while waiting: closed, nothing to report
    io.stderr.write(`dat-sdk: ${describeError(err)}\n`)
    if (process.env.DAT_SDK_DEBUG && err instanceof Error && err.stack)
      io.stderr.write(`${err.stack}\n`)
    if (err instanceof UsageError) {
      io.stderr.write(`Run dat-sdk --help for the commands and options.\n`)
      return 2
    }
    return 1
  }
}
