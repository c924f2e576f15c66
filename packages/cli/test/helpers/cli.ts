// Runs the real `dat-sdk` binary (packages/cli/dist/bin.js) in child processes.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

export const BIN = path.resolve(import.meta.dirname, '../../dist/bin.js')

export interface Result {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `dat-sdk <args>` to the end (killed after `timeout` ms); `env` is added to the process's. */
export function run(
  args: string[],
  timeout = 60_000,
  cwd?: string,
  env?: Record<string, string>,
): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** A long-running `dat-sdk` (share, testnet, clone --live): read its output as it comes, stop it. */
export class Running {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  private readonly _exit: Promise<Result>

  constructor(args: string[], cwd?: string, env?: Record<string, string>) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
    })
    this.child.stdout!.on('data', (d) => (this.stdout += d))
    this.child.stderr!.on('data', (d) => (this.stderr += d))
    this._exit = new Promise((resolve) => {
      this.child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      )
    })
  }

  /** Resolves with the first match of `pattern` in stdout or stderr (`which`), or rejects. */
  async waitFor(
    pattern: RegExp,
    which: 'stdout' | 'stderr' = 'stdout',
    timeout = 30_000,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeout
    for (;;) {
      const m = this[which].match(pattern)
      if (m) return m
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `dat-sdk exited before printing ${pattern}:\n${this.stdout}\n${this.stderr}`,
        )
      }
      if (Date.now() > deadline) {
        throw new Error(
          `dat-sdk did not print ${pattern} within ${timeout} ms:\n${this.stdout}\n${this.stderr}`,
        )
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  exited(): Promise<Result> {
    return this._exit
  }

  /** Ctrl-C, then the exit; SIGKILL if it does not leave within `timeout` ms. */
  async stop(timeout = 10_000): Promise<Result> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeout)
    try {
      return await this._exit
    } finally {
      clearTimeout(timer)
    }
  }

  close(): Promise<Result> {
    return this.stop()
  }
}
