import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, eventually, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { startChurn } from './helpers/churn.js'

const test = suite('churn: one SDK, a fresh peer connecting and leaving 100 times')

const CYCLES = Number(process.env.CHURN_CYCLES || 100)

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('no MaxListenersExceededWarning, and listeners and handles return to where they started', async () => {
  const warnings: Error[] = []
  const onwarning = (w: Error) => warnings.push(w)
  process.on('warning', onwarning)
  const churn = await startChurn(testnet)
  try {
    // Two cycles first: what is made once, lazily, on the first connection is not churn.
    await churn.cycle()
    await churn.cycle()
    const start = churn.snapshot()
    const started = Date.now()
    for (let i = 0; i < CYCLES; i++) await churn.cycle()
    const ms = Date.now() - started
    assert.is(churn.received.core, CYCLES + 2, 'every peer reached the core extension')
    assert.is(churn.received.stream, CYCLES + 2, 'every peer reached the connection extension')
    // Sockets and timers of the peers that left close on their own schedule: wait for the counts.
    let end = churn.snapshot()
    await eventually(
      () => {
        end = churn.snapshot()
        return end.listeners <= start.listeners && end.handleCount <= start.handleCount
      },
      { timeout: 10_000 },
    ).catch(() => {})
    console.log(
      `${CYCLES} cycles in ${ms} ms; listeners ${start.listeners} -> ${end.listeners};` +
        ` handles ${JSON.stringify(start.handles)} -> ${JSON.stringify(end.handles)}`,
    )
    assert.equal(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    )
    assert.ok(end.listeners <= start.listeners, `listeners ${start.listeners} -> ${end.listeners}`)
    assert.ok(
      end.handleCount <= start.handleCount,
      `handles ${JSON.stringify(start.handles)} -> ${JSON.stringify(end.handles)}`,
    )
  } finally {
    process.off('warning', onwarning)
    await churn.close()
  }
})

test.run()
