// Pools the rows of one bench file run in several processes (bench/lib.ts `benchProcess`) into
// one set of rows, as if one process had run all the rounds:
// - a row scored by the median of its per-pair ratios (each part's score is the median of its
//   `rounds`) gets every part's rounds, and is scored by the median of all of them;
// - any other row (a budget, a figure picked some other way) is scored by the median of the
//   parts' scores, and its rule says so.
// A row missing from some part fails: a process that did not report it is not averaged away.

/** The median (the mean of the middle two for an even count), as bench/lib.ts `median`. */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const PAIRED = /^median of \d+ per-pair ratios/

/** Whether a part's row is scored by the median of its own rounds' ratios. */
function pairedScore(row) {
  if (!Array.isArray(row.rounds) || !row.rounds.length || !PAIRED.test(row.rule ?? '')) return false
  return Math.abs(median(row.rounds.map((r) => r.ratio)) - row.ratio) < 1e-9
}

/** Each `extra` key's values across the parts, one value when they agree, else joined by ' / '. */
function extras(rows) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))]
  const out = { 'per-process scores': rows.map((r) => r.ratio.toFixed(3)).join(' ') }
  for (const k of keys) {
    const values = rows.map((r) => r.extra?.[k] ?? '-')
    out[k] = values.every((v) => v === values[0]) ? values[0] : values.join(' / ')
  }
  return out
}

/** A paired row: every part's rounds together, scored by the median of all their ratios. */
function pooledRounds(rows, from) {
  const rounds = rows.flatMap((r) => r.rounds)
  const ratios = rounds.map((r) => r.ratio)
  return {
    ours: median(rounds.map((r) => r.ours)),
    baseline: median(rounds.map((r) => r.baseline)),
    rule: rows[0].rule.replace(PAIRED, `median of ${rounds.length} per-pair ratios from ${from}`),
    score: median(ratios),
    spread: [Math.min(...ratios), Math.max(...ratios)],
    rounds,
  }
}

/** Any other row: the median of the parts' scores (and of their figures, for reading). */
function medianScore(rows, from) {
  return {
    ours: median(rows.map((r) => r.ours)),
    baseline: median(rows.map((r) => r.baseline)),
    rule: `median over ${from} of each one's ${rows[0].rule}`,
    score: median(rows.map((r) => r.ratio)),
    spread: undefined,
    rounds: undefined,
  }
}

/**
 * @param {Array<Array<Record<string, any>>>} parts each process's rows, as `report()` wrote them
 * @returns {Array<Record<string, any>>} one row per name, scored as described above
 */
export function pool(parts) {
  if (parts.length === 1) return parts[0]
  const names = [...new Set(parts.flatMap((rows) => rows.map((r) => r.name)))]
  return names.map((name) => {
    const rows = parts.map((p) => p.find((r) => r.name === name)).filter(Boolean)
    const first = rows[0]
    const from = `${parts.length} processes`
    if (rows.length !== parts.length) {
      return {
        ...first,
        rule: `${first.rule} (reported by ${rows.length} of ${from}: fails)`,
        pass: false,
      }
    }
    const scored = rows.every(pairedScore) ? pooledRounds(rows, from) : medianScore(rows, from)
    return {
      ...first,
      ...scored,
      extra: extras(rows),
      ratio: scored.score,
      pass: scored.score >= first.target,
    }
  })
}
