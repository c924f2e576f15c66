import { makeTmpDir, removeDir } from './tmp.js'

type Closer = () => unknown

/**
 * Collects what a test opened and closes it in reverse order. Use one per test:
 *
 *   const t = teardown()
 *   try { const store = t.add(Store.temp()) ... } finally { await t.run() }
 *
 * or call `t.run()` from the suite's `after.each` hook.
 */
export class Teardown {
  private _closers: Closer[] = []

  /** Registers something with a `close()` (or `destroy()`), or a function; returns it. */
  add<T>(resource: T): T {
    if (typeof resource === 'function') {
      this._closers.push(resource as Closer)
      return resource
    }
    const r = resource as { close?: () => unknown; destroy?: () => unknown }
    if (typeof r.close === 'function') this._closers.push(() => r.close!())
    else if (typeof r.destroy === 'function') this._closers.push(() => r.destroy!())
    else
      throw new TypeError('teardown.add() takes a function or something with close() or destroy()')
    return resource
  }

  /** A temporary directory removed on teardown (after everything added later is closed). */
  tmpDir(label?: string): string {
    const dir = makeTmpDir(label)
    this._closers.push(() => removeDir(dir))
    return dir
  }

  /** Closes everything, newest first; collects failures and throws the first one at the end. */
  async run(): Promise<void> {
    const closers = this._closers.reverse()
    this._closers = []
    let failure: unknown = null
    for (const close of closers) {
      try {
        await close()
      } catch (err) {
        failure ??= err
      }
    }
    if (failure) throw failure
  }
}

export function teardown(): Teardown {
  return new Teardown()
}
