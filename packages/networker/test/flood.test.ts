// Hostile peers at volume: a peer that floods a connection-level extension (as fast as the socket
// takes it, aiming at 100k messages/s) while an honest peer asks questions on the same networker.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
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
const PER_TICK = 1_000 // 1,000 per 10 ms: 100k messages a second offered

test('an honest peer is answered quickly during the flood; each bad message is reported once', async () => {
  const t = teardown()
  try {
    const topic = b4a.alloc(32, 1)
    const make = () => t.add(new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }))
    const receiver = make()
    const flooder = make()
    const honest = make()

    let floodIn = 0
    const errors: DatSdkError[] = []
    receiver.on('extension-error', (err) => errors.push(err))
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
    const flood = flooder.registerExtension('flood') // raw bytes: half of them are not JSON

    for (const n of [receiver, flooder, honest]) n.join(topic)
    await eventually(() => receiver.peers.length === 2, { timeout: 20_000 })
    const target = (net: Networker): NetworkPeer =>
      net.peers.find((p) => b4a.equals(p.remotePublicKey, receiver.publicKey))!
    await eventually(() => !!target(flooder) && !!target(honest), { timeout: 20_000 })

    const heapBefore = process.memoryUsage().heapUsed
    const good = b4a.from('{"n":1}')
    const bad = b4a.from('{"n":')
    let sent = 0
    let badSent = 0
    const started = Date.now()
    const floodTimer = setInterval(() => {
      const peer = target(flooder)
      if (!peer) return
      for (let i = 0; i < PER_TICK; i++) {
        const isBad = (sent & 1) === 1
        flood.send(isBad ? bad : good, peer)
        sent++
        if (isBad) badSent++
      }
    }, 10)
    let q = 0
    const askTimer = setInterval(() => {
      asked.set(q, Date.now())
      ask.send({ q: q++ }, target(honest))
    }, 100)
    await new Promise((resolve) => setTimeout(resolve, FLOOD_MS))
    clearInterval(floodTimer)
    clearInterval(askTimer)
    const floodMs = Date.now() - started
    const heapPeak = process.memoryUsage().heapUsed

    // Every question was answered, every message that arrived was counted once.
    await eventually(() => rtts.length === q, { timeout: 20_000 })
    const sorted = [...rtts].sort((a, b) => a - b)
    const p50 = sorted[Math.floor(sorted.length / 2)]
    const max = sorted[sorted.length - 1]
    console.log(
      `flood: ${sent} offered in ${floodMs} ms (${Math.round(sent / (floodMs / 1000))}/s); ` +
        `${floodIn} good delivered, ${errors.length} reported; honest RTT p50 ${p50} ms max ${max} ms; ` +
        `heap +${((heapPeak - heapBefore) / 1048576).toFixed(1)} MiB`,
    )
    const badReported = errors.filter((e) => e.code === 'BAD_MESSAGE').length
    assert.ok(badReported <= badSent, 'at most one report per bad message')
    assert.ok(max < 2_000, `an honest question waited ${max} ms`)
  } finally {
    await t.run()
  }
})

test.run()
