// Hostile peers at volume: a peer floods a connection-level extension at 100k messages a second
// while an honest peer asks questions on the same networker. The flooder runs in a child process
// (fixtures/flooder.ts), so this process, the receiver's, gets the whole offered rate rather than
// sharing its event loop with the sender.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import b4a from 'b4a'
import { Store, type DatSdkError } from '@dat-sdk/store'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('networker: a peer flooding an extension')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

const FLOOD_MS = 3_000
const RATE = 100_000 // messages a second offered
const flooderScript = path.join(import.meta.dirname, 'fixtures', 'flooder.ts')

interface FlooderLine {
  ready?: boolean
  sent?: number
  bad?: number
  ms?: number
}

test('an honest peer is answered within 2 s during the flood; each bad message is reported once', async () => {
  const t = teardown()
  try {
    const topic = b4a.alloc(32, 1)
    const make = () => t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
    const receiver = make()
    const honest = make()

    let floodIn = 0
    // Counted, not kept: 150,000 errors with their stacks would be the test's own memory.
    const reports = new Map<string, number>()
    receiver.on('extension-error', (err: DatSdkError) =>
      reports.set(err.code, (reports.get(err.code) ?? 0) + 1),
    )
    const answers = receiver.registerExtension<{ q: number }>('ask', {
      encoding: 'json',
      onmessage: (m, peer) => answers.send({ q: m.q }, peer),
    })
    receiver.registerExtension<{ n: number }>('flood', {
      encoding: 'json',
      onmessage: () => {
        floodIn++
      },
    })
    const asked = new Map<number, number>()
    const rtts: number[] = []
    const ask = honest.registerExtension<{ q: number }>('ask', {
      encoding: 'json',
      onmessage: (m) => {
        const at = asked.get(m.q)
        if (at !== undefined) rtts.push(Date.now() - at)
      },
    })
    receiver.join(topic)
    honest.join(topic)

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        flooderScript,
        String(testnet.bootstrap[0].port),
        b4a.toString(topic, 'hex'),
        b4a.toString(receiver.publicKey, 'hex'),
        String(FLOOD_MS),
        String(RATE),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    t.add(async () => {
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    })
    const lines: FlooderLine[] = []
    readline.createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l)))

    await eventually(() => lines.some((l) => l.ready), { timeout: 30_000 })
    await eventually(() => receiver.peers.length === 2, { timeout: 20_000 })
    const toReceiver = (): NetworkPeer | undefined =>
      honest.peers.find((p) => b4a.equals(p.remotePublicKey, receiver.publicKey))
    await eventually(() => !!toReceiver(), { timeout: 20_000 })

    const heapBefore = process.memoryUsage().heapUsed
    let heapPeak = heapBefore
    const started = Date.now()
    let q = 0
    const askTimer = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
      const peer = toReceiver()
      if (!peer) return
      asked.set(q, Date.now())
      ask.send({ q: q++ }, peer)
    }, 100)
    let done: FlooderLine | undefined
    try {
      await eventually(() => (done = lines.find((l) => l.sent !== undefined)), {
        timeout: FLOOD_MS + 30_000,
      })
    } finally {
      clearInterval(askTimer)
    }
    const sent = done!.sent!
    const badSent = done!.bad!
    const floodMs = done!.ms!

    // Every message that was sent arrives: each good one delivered once, each bad one reported once.
    const badReported = () => reports.get('BAD_MESSAGE') ?? 0
    await eventually(() => floodIn + badReported() >= sent, { timeout: 30_000 }).catch(() => {})
    const drainedMs = Date.now() - started
    await eventually(() => rtts.length === q, { timeout: 20_000 })
    const sorted = [...rtts].sort((a, b) => a - b)
    const p50 = sorted[Math.floor(sorted.length / 2)]
    const max = sorted[sorted.length - 1]
    console.log(
      `flood: ${sent} offered by a child process in ${floodMs} ms ` +
        `(${Math.round(sent / (floodMs / 1000))}/s); all handled after ${drainedMs} ms ` +
        `(${Math.round((floodIn + badReported()) / (drainedMs / 1000))}/s); ` +
        `${floodIn} good delivered, ${badReported()} reported; ` +
        `honest RTT p50 ${p50} ms max ${max} ms over ${q} questions; ` +
        `heap peak +${((heapPeak - heapBefore) / 1048576).toFixed(1)} MiB`,
    )
    assert.ok(sent >= RATE * (FLOOD_MS / 1000) * 0.9, `only ${sent} offered`)
    assert.is(floodIn, sent - badSent, 'each good message delivered once')
    assert.is(badReported(), badSent, 'each bad message reported once')
    assert.equal([...reports.keys()], ['BAD_MESSAGE'], 'no other report')
    assert.ok(max < 2_000, `an honest question waited ${max} ms`)
    const peakMiB = (heapPeak - heapBefore) / 1048576
    assert.ok(peakMiB < 100, `heap peaked ${peakMiB.toFixed(1)} MiB over its start`)
  } finally {
    await t.run()
  }
})

test.run()
