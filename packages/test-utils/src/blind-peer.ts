// Runs `dat-sdk blind-peer` (packages/cli/dist/bin.js) in a child process, as tests need it:
// blind-peer turns on a hypercore flag for its whole process, so it never runs inside a test's.
// test-utils does not depend on the cli at build level (the cli's tests depend on test-utils):
// it spawns the built binary by path, so `pnpm build` must have run, as for every test.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import z32 from 'z32'

/** The `dat-sdk` binary of this repository. */
export const DAT_SDK_BIN = path.resolve(import.meta.dirname, '../../cli/dist/bin.js')

export interface BlindPeerOptions {
  /** The DHT bootstrap nodes: a testnet's `bootstrap`, or `'host:port,host:port'`. */
  bootstrap: ReadonlyArray<{ host: string; port: number }> | string
  /** Its storage directory (the caller makes and removes it). */
  storage: string
  /** Clients' public keys (any spelling) whose cores it announces (`--trusted`). */
  trusted?: ReadonlyArray<Uint8Array | string>
  /** `--max-bytes`. */
  maxBytes?: number
  /** How long to wait for its key (ms, default 30 s). */
  timeout?: number
}

export interface BlindPeerExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A running `dat-sdk blind-peer`. */
export interface BlindPeerProcess {
  /** Its public key: what clients pass to `blindPeers` / `--blind-peer` and readers `joinPeer`. */
  readonly key: Uint8Array
  /** The same, in z-base-32, as the command printed it. */
  readonly z32: string
  /** The current child process (a new one after `restart()` / `start()`). */
  readonly process: ChildProcess
  /** What the current process wrote so far. */
  readonly stdout: string
  readonly stderr: string
  /** Whether the current process is still running. */
  readonly running: boolean
  /** Resolves when the current process has exited. */
  exited(): Promise<BlindPeerExit>
  /** SIGTERM, and the exit (SIGKILL if it does not leave within 10 s). No-op once exited. */
  stop(): Promise<BlindPeerExit>
  /** SIGKILL, and the exit. No-op once exited. */
  kill(): Promise<BlindPeerExit>
  /**
   * Starts it again on the same storage (after `stop()` or `kill()`); rejects if it prints a key
   * other than `key`.
   */
  start(): Promise<void>
  /** `stop()`, then `start()`. */
  restart(): Promise<void>
  /** `stop()`, for `teardown().add(...)`. */
  close(): Promise<BlindPeerExit>
}

/**
 * Starts `dat-sdk blind-peer --storage <storage> --bootstrap <...>` in a child process and
 * resolves once it printed its key (it then listens on the DHT). Rejects, with its stderr, when it
 * exits first or prints nothing within `timeout`.
 */
export async function startBlindPeer(opts: BlindPeerOptions): Promise<BlindPeerProcess> {
  if (!fs.existsSync(DAT_SDK_BIN)) {
    throw new Error(`${DAT_SDK_BIN} is missing: run pnpm build first`)
  }
  const bootstrap =
    typeof opts.bootstrap === 'string'
      ? opts.bootstrap
      : opts.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')
  const args = [DAT_SDK_BIN, 'blind-peer', '--storage', opts.storage, '--bootstrap', bootstrap]
  for (const key of opts.trusted ?? []) {
    args.push('--trusted', typeof key === 'string' ? key : z32.encode(key))
  }
  if (opts.maxBytes !== undefined) args.push('--max-bytes', String(opts.maxBytes))
  const peer = new Runner(args, opts.timeout ?? 30_000)
  await peer.start()
  return peer
}

class Runner implements BlindPeerProcess {
  private _child: ChildProcess | null = null
  private _exit: Promise<BlindPeerExit> = Promise.resolve({ code: null, signal: null })
  private _key: Uint8Array | null = null
  private _z32 = ''
  stdout = ''
  stderr = ''

  private readonly _args: string[]
  private readonly _timeout: number

  constructor(args: string[], timeout: number) {
    this._args = args
    this._timeout = timeout
  }

  get key(): Uint8Array {
    if (!this._key) throw new Error('The blind peer has not printed its key yet')
    return this._key
  }

  get z32(): string {
    return this._z32
  }

  get process(): ChildProcess {
    if (!this._child) throw new Error('The blind peer was never started')
    return this._child
  }

  get running(): boolean {
    return !!this._child && this._child.exitCode === null && this._child.signalCode === null
  }

  exited(): Promise<BlindPeerExit> {
    return this._exit
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('The blind peer is already running')
    const child = spawn(process.execPath, this._args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this._child = child
    this.stdout = ''
    this.stderr = ''
    child.stdout!.setEncoding('utf-8').on('data', (d: string) => (this.stdout += d))
    child.stderr!.setEncoding('utf-8').on('data', (d: string) => (this.stderr += d))
    // A test process that dies without stopping it (a crash, a failed assertion outside a
    // teardown) does not leave it running.
    const orphan = () => child.kill('SIGKILL')
    process.once('exit', orphan)
    this._exit = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        process.off('exit', orphan)
        resolve({ code, signal })
      })
    })
    const printed = await this._printedKey(child)
    if (this._key && this._z32 !== printed) {
      await this.kill()
      throw new Error(`The blind peer came back with another key: ${printed}, not ${this._z32}`)
    }
    this._z32 = printed
    this._key = z32.decode(printed)
  }

  private _printedKey(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, key?: string) => {
        clearTimeout(timer)
        child.stdout!.off('data', check)
        child.off('close', onclose)
        if (err) reject(err)
        else resolve(key!)
      }
      const check = () => {
        const m = /^([ybndrfg8ejkmcpqxot1uwisza345h769]{52})$/m.exec(this.stdout)
        if (m) done(null, m[1])
      }
      const onclose = (code: number | null, signal: NodeJS.Signals | null) =>
        done(
          new Error(
            `dat-sdk blind-peer exited (${code ?? signal}) before its key:\n${this.stderr}`,
          ),
        )
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        done(
          new Error(
            `dat-sdk blind-peer printed no key within ${this._timeout} ms:\n${this.stderr}`,
          ),
        )
      }, this._timeout)
      child.stdout!.on('data', check)
      child.on('close', onclose)
      check()
    })
  }

  private async _signal(signal: NodeJS.Signals, timeout: number): Promise<BlindPeerExit> {
    if (this.running) this._child!.kill(signal)
    const timer = setTimeout(() => this._child?.kill('SIGKILL'), timeout)
    try {
      return await this._exit
    } finally {
      clearTimeout(timer)
    }
  }

  stop(): Promise<BlindPeerExit> {
    return this._signal('SIGTERM', 10_000)
  }

  kill(): Promise<BlindPeerExit> {
    return this._signal('SIGKILL', 10_000)
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  close(): Promise<BlindPeerExit> {
    return this.stop()
  }
}
