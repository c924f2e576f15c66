// A peer that dies without a word (SIGKILL, a pulled cable) is dropped after `connectionTimeout`
// rather than when UDX gives up (~13 s), while an idle but live connection stays up on keep-alives.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store } from '@dat-sdk/store'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

const test = suite('networker: connection timeout')
const SILENT_PEER = path.join(import.meta.dirname, 'fixtures', 'silent-peer.ts')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

function networker(t: Teardown, connectionTimeout: number): Networker {
  return t.add(
    new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap, connectionTimeout }),
  )
}

const hex = (key: Uint8Array) => b4a.toString(key, 'hex')

test('a SIGKILLed peer is dropped within connectionTimeout, not when UDX gives up', async () => {
  const t = teardown()
  try {
    const topic = randomBytes(32)
    const { host, port } = testnet.bootstrap[0]
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', SILENT_PEER, `${host}:${port}`, hex(topic), t.tmpDir('silent')],
      { cwd: path.join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
    t.add(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    })
    const remoteKey = await eventually(() => /^([0-9a-f]{64})$/m.exec(output)?.[1], {
      timeout: 30_000,
    })

    const a = networker(t, 1500)
    let removedAt = 0
    a.on('peer-remove', (peer: NetworkPeer) => {
      if (hex(peer.remotePublicKey) === remoteKey) removedAt = Date.now()
    })
    a.join(topic, { announce: false, lookup: true })
    await eventually(() => a.peers.some((p) => hex(p.remotePublicKey) === remoteKey), {
      timeout: 30_000,
    })

    child.kill('SIGKILL')
    const killedAt = Date.now()
    await exited
    await eventually(() => removedAt > 0, { timeout: 20_000, interval: 50 })
    const took = removedAt - killedAt
    console.log(`dead peer dropped ${took} ms after SIGKILL (connectionTimeout 1500 ms)`)
    assert.ok(took < 4000, `the dead peer was dropped only after ${took} ms`)
    assert.ok(took >= 1000, `dropped after ${took} ms: before the timeout could have run out`)
  } finally {
    await t.run()
  }
})

test('an idle live connection outlives several timeouts on keep-alives', async () => {
  const t = teardown()
  try {
    const a = networker(t, 600)
    const b = networker(t, 600)
    const removed: NetworkPeer[] = []
    a.on('peer-remove', (peer: NetworkPeer) => removed.push(peer))
    b.on('peer-remove', (peer: NetworkPeer) => removed.push(peer))
    const topic = randomBytes(32)
    a.join(topic, { announce: true, lookup: false })
    await b.join(topic, { announce: false, lookup: true }).flushed()
    await eventually(() => a.peers.length === 1 && b.peers.length === 1, { timeout: 30_000 })
    const [peer] = a.peers
    const raw = peer.stream.rawStream
    assert.ok(raw instanceof EventEmitter, 'the connection has no raw stream to watch')
    // Nothing but keep-alives flows now: count them (one every 200 ms) past three timeouts.
    let packets = 0
    raw.on('data', () => packets++)
    await eventually(() => packets >= 10, { timeout: 10_000, interval: 50 })
    assert.equal(removed, [], 'an idle connection was dropped')
    assert.is(a.peers[0], peer, 'the connection was replaced')
    assert.ok(!peer.stream.destroyed, 'the connection was destroyed')
  } finally {
    await t.run()
  }
})

test('connectionTimeout must be a number of ms', async () => {
  const store = Store.temp()
  try {
    for (const bad of [-1, Number.NaN, '5000']) {
      assert.throws(
        // @ts-expect-error: a string is refused at run time too
        () => new Networker(store, { bootstrap: testnet.bootstrap, connectionTimeout: bad }),
        (err: unknown) => err instanceof TypeError && /connectionTimeout/.test(err.message),
      )
    }
  } finally {
    await store.close()
  }
})

test.run()
