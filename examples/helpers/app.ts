// Runs an example as its README does (`tsx <example>.ts ...`) in a child process, for the
// examples' end-to-end tests: its stdout as lines, waiting for a line, typing a line, leaving.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

export interface AppExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface AppOptions {
  /** $DAT_SDK_BOOTSTRAP: the testnet's `bootstrapList`. */
  bootstrap: string
  /** More environment variables. */
  env?: Record<string, string>
}

const examplesDir = path.resolve(import.meta.dirname, '..')

/** A running example. */
export class App {
  readonly name: string
  readonly child: ChildProcess
  readonly lines: string[] = []
  stderr = ''
  private _partial = ''
  private _waiters = new Set<() => void>()
  private readonly _exit: Promise<AppExit>

  /** Starts `tsx <script> ...args` in the examples folder; `name` labels its failures. */
  constructor(name: string, script: string, args: string[], opts: AppOptions) {
    this.name = name
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: examplesDir,
      env: { ...process.env, ...opts.env, DAT_SDK_BOOTSTRAP: opts.bootstrap },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stdout!.setEncoding('utf-8').on('data', (d: string) => {
      const parts = (this._partial + d).split('\n')
      this._partial = parts.pop()!
      this.lines.push(...parts)
      for (const wake of this._waiters) wake()
    })
    this.child.stderr!.setEncoding('utf-8').on('data', (d: string) => (this.stderr += d))
    const orphan = () => this.child.kill('SIGKILL')
    process.once('exit', orphan)
    this._exit = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        process.off('exit', orphan)
        for (const wake of this._waiters) wake()
        resolve({ code, signal })
      })
    })
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /**
   * Resolves with the first line at index `from` or later that matches `pattern` (and its index),
   * rejecting when the app exits first or nothing matches within `timeout` ms.
   */
  waitFor(
    pattern: RegExp,
    { from = 0, timeout = 60_000 }: { from?: number; timeout?: number } = {},
  ): Promise<{ match: RegExpExecArray; index: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.lines.length; i++) {
          const match = pattern.exec(this.lines[i])
          if (match) return done(null, { match, index: i })
        }
        if (!this.running) done(new Error(`${this.name} exited before printing ${pattern}`))
      }
      const timer = setTimeout(
        () => done(new Error(`${this.name} printed no ${pattern} within ${timeout} ms`)),
        timeout,
      )
      const done = (err: Error | null, value?: { match: RegExpExecArray; index: number }) => {
        clearTimeout(timer)
        this._waiters.delete(check)
        if (err)
          reject(
            new Error(`${err.message}\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`),
          )
        else resolve(value!)
      }
      this._waiters.add(check)
      check()
    })
  }

  /** Types a line into the app. */
  send(line: string): void {
    this.child.stdin!.write(line + '\n')
  }

  /** Resolves with its exit. */
  exited(): Promise<AppExit> {
    return this._exit
  }

  /** Ends its input (the apps leave on it) and waits for the exit; SIGKILL after `timeout` ms. */
  async end(timeout = 15_000): Promise<AppExit> {
    if (this.running) this.child.stdin!.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeout)
    try {
      return await this._exit
    } finally {
      clearTimeout(timer)
    }
  }

  /** Sends `signal` (unless it already exited) and waits for the exit; SIGKILL after `timeout` ms. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeout = 15_000): Promise<AppExit> {
    if (this.running) this.child.kill(signal)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeout)
    try {
      return await this._exit
    } finally {
      clearTimeout(timer)
    }
  }

  /** For `teardown().add(...)`: SIGTERM if it is still running (it removes its storage), SIGKILL after 5 s. */
  close(): Promise<AppExit> {
    return this.stop('SIGTERM', 5_000)
  }
}
