#!/usr/bin/env node
// How much this machine's CPU speed drifts, with no benchmark in the way: one fixed piece of work
// (8,000 SHA-256 hashes of 1 KiB, ~15 ms) timed back to back for a while, then the spread (cv:
// sd / mean) of its times averaged over windows of 1 to 100 pieces, and how alike neighbouring
// pieces are (autocorrelation by lag). On a quiet machine the cv falls as 1/sqrt(window); where it
// stays high at windows of a second or more, two sides of a bench timed one after the other meet
// different machines, and only sides that take turns within a round meet the same one (bench/
// README.md, "Steady rows").
//   node bench/drift.mjs [seconds, default 20]
import crypto from 'node:crypto'

const seconds = Number(process.argv[2] || 20)
if (!(seconds > 0)) throw new TypeError('seconds must be a number above 0')
const block = crypto.randomBytes(1024)
const times = []
const end = performance.now() + seconds * 1000
while (performance.now() < end) {
  const start = performance.now()
  for (let i = 0; i < 8000; i++) crypto.createHash('sha256').update(block).digest()
  times.push(performance.now() - start)
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const cv = (xs) => {
  const m = mean(xs)
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) / m
}
const m = mean(times)
const dev = times.map((x) => x - m)
const energy = dev.reduce((a, d) => a + d * d, 0)
const lag = (k) => dev.slice(k).reduce((a, d, i) => a + d * dev[i], 0) / energy
console.log(`${times.length} pieces of ~${m.toFixed(1)} ms over ${seconds} s`)
const rows = []
for (const w of [1, 5, 25, 50, 100]) {
  if (times.length < 4 * w) break
  const windows = []
  for (let i = 0; i + w <= times.length; i += w) windows.push(mean(times.slice(i, i + w)))
  rows.push({
    window: `${w} (${Math.round(w * m)} ms)`,
    cv: cv(windows).toFixed(3),
    'cv if the pieces were independent': (cv(times) / Math.sqrt(w)).toFixed(3),
  })
}
console.table(rows)
console.log(
  'autocorrelation by lag: ' +
    [1, 5, 10, 25, 50, 100]
      .filter((k) => k < times.length / 2)
      .map((k) => `${k}: ${lag(k).toFixed(2)}`)
      .join(', '),
)
