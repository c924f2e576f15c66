// Property-test helpers for the decoders of remote bytes (fast-check). Every fuzz test prints the
// seed and case count it runs with; a failure is replayed with the same seed:
//   FUZZ_SEED=<seed> node scripts/test.mjs packages/<pkg>/test/fuzz.test.ts
// (fast-check also prints `seed` and `path` of a counterexample; `FUZZ_PATH=<path>` replays only it).
import fc from 'fast-check'

/** Cases per decoder property (issue 14 asks for 10,000); `$FUZZ_RUNS` may raise it. */
export const FUZZ_RUNS = 10_000

export interface FuzzParams {
  seed: number
  numRuns: number
  path?: string
}

/**
 * The fast-check parameters of one property: the seed from `$FUZZ_SEED` (else a random one), the
 * case count `numRuns` raised to `$FUZZ_RUNS` when that is more, and `$FUZZ_PATH` when set. Prints
 * them, so a failing run can be replayed. `$FUZZ_RUNS` never lowers a count: a property whose
 * count was set low on purpose (each case a replication, say) keeps it, and `FUZZ_RUNS=0` cannot
 * make every property pass without a case. A `$FUZZ_RUNS` that is not a positive integer is a
 * TypeError, as is a `$FUZZ_SEED` that is not an integer.
 */
export function fuzzParams(name: string, numRuns = FUZZ_RUNS): FuzzParams {
  if (!Number.isSafeInteger(numRuns) || numRuns <= 0) {
    throw new TypeError(`numRuns must be a positive integer, not ${numRuns}`)
  }
  const envSeed = process.env.FUZZ_SEED
  const seed =
    envSeed !== undefined && envSeed !== '' ? Number(envSeed) : (Math.random() * 2 ** 31) | 0
  if (!Number.isInteger(seed)) throw new TypeError(`FUZZ_SEED must be an integer, not ${envSeed}`)
  const envRuns = process.env.FUZZ_RUNS
  let runs = numRuns
  if (envRuns !== undefined && envRuns !== '') {
    const asked = /^\s*\d+\s*$/.test(envRuns) ? Number(envRuns) : NaN
    if (!Number.isSafeInteger(asked) || asked <= 0) {
      throw new TypeError(`FUZZ_RUNS must be a positive integer, not ${JSON.stringify(envRuns)}`)
    }
    runs = Math.max(numRuns, asked)
  }
  const params: FuzzParams = { seed, numRuns: runs }
  if (process.env.FUZZ_PATH) params.path = process.env.FUZZ_PATH
  console.log(`fuzz ${name}: seed ${seed}, ${runs} cases (replay: FUZZ_SEED=${seed})`)
  return params
}

/** One edit of a byte string: what it does, where (a fraction of the length), with what. */
interface Edit {
  kind: 'flip' | 'set' | 'truncate' | 'extend' | 'insert' | 'delete'
  at: number
  n: number
  bytes: Uint8Array
}

// Positions are fractions of the current length, so one edit list applies to any input.
const position = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
// Bytes that matter to compact-encoding and JSON: varint prefixes, 0, 0x7f, quotes and brackets.
const interesting = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff, 0x22, 0x5b, 0x5d, 0x7b, 0x7d),
)

const mutation: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom<Edit['kind']>('flip', 'set', 'truncate', 'extend', 'insert', 'delete'),
  at: position,
  n: interesting,
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
})

// Every edit copies: a Buffer's slice() is a view, and editing fast-check's values in place would
// corrupt shrinking and replay.
function apply(input: Uint8Array, m: Edit): Uint8Array {
  const at = Math.floor(m.at * input.byteLength)
  switch (m.kind) {
    case 'flip': {
      if (input.byteLength === 0) return input
      const out = new Uint8Array(input)
      out[at] ^= m.n === 0 ? 1 : m.n
      return out
    }
    case 'set': {
      if (input.byteLength === 0) return input
      const out = new Uint8Array(input)
      out[at] = m.n
      return out
    }
    case 'truncate':
      return new Uint8Array(input.subarray(0, at))
    case 'extend':
      return concat(input, m.bytes)
    case 'insert':
      return concat(input.subarray(0, at), m.bytes, input.subarray(at))
    case 'delete':
      return concat(input.subarray(0, at), input.subarray(at + 1 + (m.n % 8)))
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.byteLength
  const out = new Uint8Array(n)
  let i = 0
  for (const p of parts) {
    out.set(p, i)
    i += p.byteLength
  }
  return out
}

/** Valid encodings with one to four bytes flipped or set, or truncated, extended, spliced. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([bytes, edits]) => edits.reduce(apply, bytes))
}

/**
 * What a peer may send: random bytes (a quarter), valid encodings as they are (a quarter) and
 * mutated valid encodings (half).
 */
export function remoteBytes(
  valid: fc.Arbitrary<Uint8Array>,
  maxLength = 512,
): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength }), weight: 1 },
    { arbitrary: valid, weight: 1 },
    { arbitrary: mutated(valid), weight: 2 },
  )
}
