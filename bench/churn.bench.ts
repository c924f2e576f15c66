// Churn soak: one SDK while a fresh peer (its own store and Hyperswarm on the same loopback
// testnet) connects, opens the SDK's core, a core extension, a connection extension and gossip,
// and leaves, 1,000 times (CHURN_CYCLES to change). Printed: heap after a forced GC before and
// after, listeners on the staying SDK's parts, active handles, MaxListenersExceededWarnings.
// The row passes when the heap after is within 10 MiB of the heap before (ratio = (before + 10 MiB)
// / after), and the bench fails outright on a warning or on listener or handle growth.
import v8 from 'node:v8'
import vm from 'node:vm'
import { report, type BenchRow } from './lib.ts'
import { createTestnet, eventually } from '../packages/test-utils/dist/index.js'
import { startChurn } from '../packages/sdk/test/helpers/churn.ts'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const CYCLES = Number(process.env.CHURN_CYCLES || 1000)
const MiB = 1024 * 1024

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

const warnings: string[] = []
process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message)
})

const testnet = await createTestnet(3)
const churn = await startChurn(testnet)
let failure = ''
try {
  for (let i = 0; i < 5; i++) await churn.cycle() // warm-up: what is made once is not churn
  const start = churn.snapshot()
  const heapBefore = settledHeap()
  const started = Date.now()
  for (let i = 0; i < CYCLES; i++) {
    await churn.cycle()
    if ((i + 1) % 100 === 0) {
      const mb = (process.memoryUsage().heapUsed - heapBefore) / MiB
      console.log(
        `  ${i + 1} cycles, ${Date.now() - started} ms, heap ${mb.toFixed(1)} MiB over start`,
      )
    }
  }
  const ms = Date.now() - started
  let end = churn.snapshot()
  await eventually(
    () => {
      end = churn.snapshot()
      return end.listeners <= start.listeners && end.handleCount <= start.handleCount
    },
    { timeout: 10_000 },
  ).catch(() => {})
  const heapAfter = settledHeap()
  if (warnings.length) failure += `MaxListenersExceededWarning: ${warnings[0]}. `
  if (end.listeners > start.listeners)
    failure += `listeners ${start.listeners} -> ${end.listeners}. `
  if (end.handleCount > start.handleCount)
    failure += `handles ${JSON.stringify(start.handles)} -> ${JSON.stringify(end.handles)}. `
  const row: BenchRow = {
    name: `churn: ${CYCLES} peer connect/use/leave cycles, heap after GC (MiB)`,
    ours: heapAfter / MiB,
    baseline: heapBefore / MiB + 10,
    unit: 'MiB',
    better: 'lower',
    target: 1,
    rule: `budget: heap after GC <= heap before + 10 MiB, one run of ${CYCLES} cycles`,
    extra: {
      'heap growth MiB': Math.round(((heapAfter - heapBefore) / MiB) * 100) / 100,
      'ms per cycle': Math.round((ms / CYCLES) * 10) / 10,
      listeners: `${start.listeners} -> ${end.listeners}`,
      handles: `${start.handleCount} -> ${end.handleCount}`,
      warnings: warnings.length,
    },
  }
  report('churn', [row])
} finally {
  await churn.close()
  await testnet.destroy()
}
if (failure) {
  console.error('churn: ' + failure)
  process.exitCode = 1
}
