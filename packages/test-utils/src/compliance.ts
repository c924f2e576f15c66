// The one call shape of every compliance suite in this package:
//
//   const test = xCompliance({ name, setup, teardown?, timeout? })
//   test.before(...)   // optional: the caller's own hooks (a testnet shared by the suite)
//   test.run()
//
// `setup(t)` makes one subject (a swarm, a networker, a pair of extension hosts); a test calls it
// as many times as it needs subjects. `teardown(subject)` closes one (each suite has a default);
// it runs before whatever `setup` registered on `t`, newest first.
import { suite, type Test } from 'uvu'
import { teardown as makeTeardown, type Teardown } from './teardown.js'

export interface ComplianceOptions<S> {
  /** The implementation under test; the suite is named `<Seam> compliance: <name>`. */
  name: string
  /** Makes one subject. Register what must be closed besides the subject itself on `t`. */
  setup(t: Teardown): S | Promise<S>
  /** Closes one subject made by `setup` (each suite says what its default does). */
  teardown?(subject: S): unknown
  /** How long to wait for connections and messages, in ms (each suite has its default). */
  timeout?: number
}

/** What a suite's tests are given: `make()` a subject, and the timeout for `eventually()`. */
export interface ComplianceContext<S> {
  make(): Promise<S>
  timeout: number
  /** The test's own teardown, for what the test itself opens. */
  t: Teardown
}

/** A uvu suite titled `<seam> compliance: <name>`, and `it(name, fn)` that runs `fn` with a fresh context. */
export function complianceSuite<S>(
  seam: string,
  opts: ComplianceOptions<S>,
  defaults: { teardown(subject: S): unknown; timeout: number },
): { test: Test; it(name: string, fn: (ctx: ComplianceContext<S>) => Promise<void>): void } {
  const test = suite(`${seam} compliance: ${opts.name}`)
  const close = opts.teardown ?? defaults.teardown
  const timeout = opts.timeout ?? defaults.timeout
  return {
    test,
    it(name, fn) {
      test(name, async () => {
        const t = makeTeardown()
        const make = async (): Promise<S> => {
          const subject = await opts.setup(t)
          t.add(() => close(subject))
          return subject
        }
        try {
          await fn({ make, timeout, t })
        } finally {
          await t.run()
        }
      })
    },
  }
}
