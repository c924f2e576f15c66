import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { type DownloadProgress, type TransferStats } from '@dat-sdk/sdk'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { sdkPair } from './helpers/sdks.js'

const test = suite('stats and progress, against real transfers')

const MiB = 1024 * 1024
const TOTAL = 10 * MiB

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('a core: 10 MiB cloned counts exactly 10 MiB of payload each way', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const writer = a.Hypercore('big')
    const blocks: Uint8Array[] = []
    for (let i = 0; i < TOTAL / (64 * 1024); i++) blocks.push(crypto.randomBytes(64 * 1024))
    await writer.append(blocks)
    await a.flush(writer)
    const reader = b.Hypercore(writer.url)
    await reader.ready()
    assert.is(reader.stats().localBlocks, 0)
    await reader.download({ start: 0, end: reader.length }).done()

    const got = reader.stats()
    assert.is(got.blocks, 160)
    assert.is(got.localBlocks, 160)
    assert.is(got.byteLength, TOTAL)
    // Payload bytes: exactly the blocks' bytes, nothing of the wire's framing or proofs.
    assert.is(got.downloadedBytes, TOTAL)
    assert.is(got.downloadedBlocks, 160)
    assert.is(got.peers, 1)
    // The seeder counted the same blocks going out.
    await eventually(() => writer.stats().uploadedBytes === TOTAL)
    assert.is(writer.stats().uploadedBlocks, 160)
    assert.is(writer.stats().downloadedBytes, 0)
  } finally {
    await t.run()
  }
})

test('a drive: bytes, speed and progress while 10 MiB of files download', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    // 64 KiB blocks (160 of them), not the 1 MiB a Drive writes by default: ten blocks can all
    // arrive before the clock has a mid-transfer sample to hold the reported speed against.
    const drive = a.Hyperdrive('stats', { blockSize: 64 * 1024 })
    await drive.ready()
    for (let i = 0; i < 10; i++) await drive.put(`/files/${i}.bin`, crypto.randomBytes(MiB))
    await drive.put('/empty.txt', b4a.alloc(0))
    await a.flush()

    const copy = b.Hyperdrive(drive.key)
    // An independent clock and count, on hypercore's own events: from the first block the reader
    // got (of either core), the bytes moved over the time elapsed.
    let t0 = -1
    let moved = 0
    let mid: { speed: number; expected: number } | null = null
    const ondownload = (_index: number, byteLength: number) => {
      const now = Date.now()
      if (t0 < 0) t0 = now
      moved += byteLength
      if (!mid && moved > 0.4 * TOTAL && moved < 0.8 * TOTAL && now - t0 >= 100) {
        mid = { speed: copy.stats().downloadSpeed, expected: (moved * 1000) / (now - t0) }
      }
    }
    copy.hyperdrive.core.on('download', ondownload)
    copy.hyperdrive.on('blobs', (blobs) => blobs.core.on('download', ondownload))
    await copy.ready()
    // The wire bytes, from the UDX stream under the connection: what our payload counts leave out.
    const wire = () => {
      let n = 0
      for (const peer of copy.hyperdrive.core.peers) {
        const raw: object | undefined = peer.stream.rawStream
        if (raw && 'bytesReceived' in raw && typeof raw.bytesReceived === 'number') {
          n += raw.bytesReceived
        }
      }
      return n
    }
    const wireBefore = wire()
    const payloadBefore = copy.stats().downloadedBytes
    const dl = copy.download('/')

    const samples: DownloadProgress[] = []
    let events = 0
    let lastEvent: TransferStats | null = null
    const onprogress = (s: TransferStats) => {
      events++
      lastEvent = s
      samples.push(dl.progress())
    }
    copy.on('progress', onprogress)
    await dl.done()
    samples.push(dl.progress())
    // The throttle's last word: one more event after the last block, with the final counts.
    await eventually(() => lastEvent?.downloadedBytes === copy.stats().downloadedBytes)
    copy.off('progress', onprogress)
    assert.ok(events >= 2, `the first block's event and the last word (${events})`)

    // Progress never goes backwards and ends at its totals.
    for (let i = 1; i < samples.length; i++) {
      assert.ok(samples[i]!.files >= samples[i - 1]!.files, `files went back at ${i}`)
      assert.ok(samples[i]!.bytes >= samples[i - 1]!.bytes, `bytes went back at ${i}`)
    }
    const end = dl.progress()
    assert.equal(end, { files: 11, bytes: TOTAL, totalFiles: 11, totalBytes: TOTAL })

    // The db's blocks (file entries) ride along: the only overhead over the files' bytes.
    const got = copy.stats()
    const overhead = got.downloadedBytes - TOTAL
    const dbBytes = copy.hyperdrive.core.byteLength
    assert.ok(overhead >= 0 && overhead <= dbBytes, `overhead ${overhead} of db ${dbBytes}`)
    assert.is(got.localBlocks, got.blocks)
    console.log(`# drive overhead: ${overhead} B over ${TOTAL} B (db core ${dbBytes} B)`)
    const wireBytes = wire() - wireBefore
    const wirePct = (((wireBytes - TOTAL) / TOTAL) * 100).toFixed(2)
    console.log(`# wire bytes received meanwhile: ${wireBytes} (${wirePct}% over the payload)`)
    assert.ok(wireBytes >= got.downloadedBytes - payloadBefore, 'payload <= wire')
    await eventually(() => drive.stats().uploadedBytes === got.downloadedBytes, {
      message: 'the seeder uploaded what the reader downloaded',
    })

    assert.ok(mid, 'a mid-transfer progress event')
    const { speed, expected } = mid!
    console.log(`# mid-transfer speed ${speed} B/s, bytes over time ${Math.round(expected)} B/s`)
    assert.ok(Math.abs(speed - expected) <= 0.2 * expected, `speed ${speed} vs ${expected}`)

    // sdk.stats(): the same summed, one connection, and what moved over it.
    const sb = b.stats()
    assert.is(sb.downloadedBytes, got.downloadedBytes)
    assert.is(sb.connections, 1)
    assert.is(sb.byConnection.length, 1)
    assert.ok(b4a.equals(sb.byConnection[0]!.remotePublicKey, a.publicKey!))
    assert.is(sb.byConnection[0]!.downloadedBytes, got.downloadedBytes)
    const sa = a.stats()
    assert.is(sa.uploadedBytes, got.downloadedBytes)
    assert.is(sa.byConnection[0]!.uploadedBytes, got.downloadedBytes)
    assert.is(sa.blocks, got.blocks)
  } finally {
    await t.run()
  }
})

test('a bee and a base: what the reader downloads, the writer uploaded', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
    const bee = a.Hyperbee<string, string>('bee', strings)
    await bee.ready()
    for (let i = 0; i < 20; i++) await bee.put(`k${i}`, 'x'.repeat(1000))
    const base = a.Autobase<string, string>('base', strings)
    await base.ready()
    for (let i = 0; i < 20; i++) await base.put(`k${i}`, 'y'.repeat(1000))
    await a.flush()

    const beeCopy = b.Hyperbee<string, string>(bee.url, strings)
    await beeCopy.ready()
    assert.is((await beeCopy.get('k19'))?.value, 'x'.repeat(1000))
    const baseCopy = b.Autobase<string, string>(base.url, strings)
    await baseCopy.ready()
    await eventually(async () => {
      await baseCopy.update()
      return (await baseCopy.get('k19'))?.value === 'y'.repeat(1000)
    })

    const sb = beeCopy.stats()
    assert.ok(sb.downloadedBytes > 0 && sb.downloadedBlocks > 0)
    assert.ok(sb.localBlocks <= sb.blocks)
    await eventually(() => bee.stats().uploadedBytes === beeCopy.stats().downloadedBytes)
    const sc = baseCopy.stats()
    assert.ok(sc.downloadedBytes >= 20 * 1000, `the base's writes came (${sc.downloadedBytes})`)
    assert.ok(sc.peers >= 1)
    // Every block the writer sent, the reader counted: a reader fast-forwards the system core
    // (downloads it whole) while it opens, and those blocks count too.
    const counted = () => [base.stats().uploadedBytes, baseCopy.stats().downloadedBytes]
    await eventually(() => {
      const [sent, got] = counted()
      return sent === got
    }).catch(() => {})
    const [uploaded, downloaded] = counted()
    assert.is(downloaded, uploaded, `the reader counted ${downloaded} B of the ${uploaded} B sent`)
    const total = b.stats()
    assert.is(
      total.downloadedBytes,
      beeCopy.stats().downloadedBytes + baseCopy.stats().downloadedBytes,
    )
  } finally {
    await t.run()
  }
})

test.run()
