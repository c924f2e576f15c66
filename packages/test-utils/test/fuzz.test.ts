// fuzzParams: $FUZZ_RUNS may only raise a property's case count, and must be a positive integer
// (FUZZ_RUNS=0 once made every property pass without a single case).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FUZZ_RUNS, fuzzParams } from '@dat-sdk/test-utils'

const test = suite('fuzzParams and $FUZZ_RUNS')

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const set = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  set(env)
  try {
    return fn()
  } finally {
    set(saved)
  }
}

const runs = (envRuns: string | undefined, numRuns?: number) =>
  withEnv({ FUZZ_RUNS: envRuns, FUZZ_SEED: '1' }, () => fuzzParams('test', numRuns).numRuns)

test('without $FUZZ_RUNS a property runs its own count, 10,000 by default', () => {
  assert.is(runs(undefined), FUZZ_RUNS)
  assert.is(FUZZ_RUNS, 10_000)
  assert.is(runs(undefined, 300), 300)
  assert.is(runs('', 300), 300, 'an empty value is no value')
})

test('$FUZZ_RUNS raises a count and never lowers one', () => {
  assert.is(runs('20000'), 20_000)
  assert.is(runs('20000', 300), 20_000)
  assert.is(runs('100'), FUZZ_RUNS, 'the default is not lowered')
  assert.is(runs('100', 300), 300, 'a count set low on purpose is not lowered either')
  assert.is(runs('300', 300), 300)
})

test('a $FUZZ_RUNS that is not a positive integer is a TypeError', () => {
  for (const bad of ['0', '-5', '1.5', 'abc', '1e3', '0x10', 'Infinity', '99999999999999999999']) {
    assert.throws(() => runs(bad), TypeError, `FUZZ_RUNS=${bad}`)
  }
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => runs(undefined, bad), TypeError, `numRuns ${bad}`)
  }
})

test('$FUZZ_SEED is used as it is; a seed that is not an integer is a TypeError', () => {
  assert.is(
    withEnv({ FUZZ_SEED: '42', FUZZ_RUNS: undefined }, () => fuzzParams('seed').seed),
    42,
  )
  assert.throws(() => withEnv({ FUZZ_SEED: 'x', FUZZ_RUNS: undefined }, () => fuzzParams('s')))
})

test.run()
