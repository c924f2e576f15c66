// The compliance suite of the `SwarmLike` seam (@dat-sdk/interfaces): what the networker relies
// on of a swarm. Hyperswarm and MemorySwarm run it, each in @dat-sdk/networker's tests.
import { randomBytes } from 'node:crypto'
import type { SwarmLike, SwarmSocket } from '@dat-sdk/interfaces'
import type { Test } from 'uvu'
import * as assert from 'uvu/assert'
import { complianceSuite, type ComplianceOptions } from './compliance.js'
import { eventually } from './eventually.js'

interface Watched {
  swarm: SwarmLike
  /** Every connection the swarm emitted, in order. */
  sockets: SwarmSocket[]
  /** The ones not closed yet. */
  open(): SwarmSocket[]
}

/**
 * The behaviours every `SwarmLike` must have for the networker to run on it, as a uvu suite:
 *
 *   const network = new MemorySwarmNetwork()
 *   const test = swarmCompliance({ name: 'MemorySwarm', setup: () => new MemorySwarm({ network }) })
 *   test.after(() => network.destroy())
 *   test.run()
 *
 * `setup(t)` makes one swarm that can reach the others it makes; `teardown(swarm)` defaults to
 * `swarm.destroy()`. `timeout` (default 15,000 ms) bounds each wait for a connection.
 */
export function swarmCompliance<S extends SwarmLike>(opts: ComplianceOptions<S>): Test {
  const { test, it } = complianceSuite('SwarmLike', opts, {
    teardown: (swarm) => swarm.destroy(),
    timeout: 15_000,
  })

  async function swarms(make: () => Promise<S>, n: number): Promise<Watched[]> {
    const out: Watched[] = []
    for (let i = 0; i < n; i++) {
      const swarm = await make()
      const sockets: SwarmSocket[] = []
      const closed = new Set<SwarmSocket>()
      swarm.on('connection', (socket) => {
        socket.on('error', noop)
        socket.once('close', () => closed.add(socket))
        sockets.push(socket)
      })
      out.push({ swarm, sockets, open: () => sockets.filter((s) => !closed.has(s)) })
    }
    return out
  }

  /** `a` announces `topic` and has announced it; `b` looks it up. */
  async function announceAndLookup(a: Watched, b: Watched, topic: Uint8Array): Promise<void> {
    await a.swarm.join(topic, { server: true, client: false }).flushed()
    await b.swarm.join(topic, { server: false, client: true }).flushed()
  }

  it('has a key pair whose public key is 32 bytes', async ({ make, timeout }) => {
    const [a, b] = await swarms(make, 2)
    assert.instance(a.swarm.keyPair.publicKey, Uint8Array)
    assert.is(a.swarm.keyPair.publicKey.byteLength, 32)
    assert.ok(a.swarm.keyPair.secretKey.byteLength > 0)
    assert.not.equal(a.swarm.keyPair.publicKey, b.swarm.keyPair.publicKey)
  })

  it('connects a lookup to an announce; after the handshake each end knows the other key', async ({
    make,
    timeout,
  }) => {
    const [a, b] = await swarms(make, 2)
    await announceAndLookup(a, b, randomBytes(32))
    await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout })
    const [sa] = a.sockets
    const [sb] = b.sockets
    if (sa.opened) assert.is(await sa.opened, true)
    if (sb.opened) assert.is(await sb.opened, true)
    assert.equal(sa.remotePublicKey, b.swarm.keyPair.publicKey)
    assert.equal(sb.remotePublicKey, a.swarm.keyPair.publicKey)
    if (sa.isInitiator !== undefined) assert.is(sa.isInitiator, false, 'the announcer accepted')
    if (sb.isInitiator !== undefined) assert.is(sb.isInitiator, true, 'the lookup dialled')
  })

  it('flush() resolves only once the connection to an announcer was made', async ({
    make,
    timeout,
  }) => {
    const [a, b] = await swarms(make, 2)
    const topic = randomBytes(32)
    await a.swarm.join(topic, { server: true, client: false }).flushed()
    b.swarm.join(topic, { server: false, client: true })
    await b.swarm.flush()
    assert.is(b.sockets.length, 1)
  })

  it('carries bytes both ways', async ({ make, timeout }) => {
    const [a, b] = await swarms(make, 2)
    await announceAndLookup(a, b, randomBytes(32))
    await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout })
    const [sa] = a.sockets
    const [sb] = b.sockets
    const atB = nextData(sb)
    sa.write(Buffer.from('ping'))
    assert.is(Buffer.from(await atB).toString(), 'ping')
    const atA = nextData(sa)
    sb.write(Buffer.from('pong'))
    assert.is(Buffer.from(await atA).toString(), 'pong')
  })

  it('keeps one connection per pair of swarms whatever the number of shared topics', async ({
    make,
    timeout,
  }) => {
    const [a, b] = await swarms(make, 2)
    const topics = [randomBytes(32), randomBytes(32), randomBytes(32)]
    await Promise.all(
      topics.map((topic) => a.swarm.join(topic, { server: true, client: true }).flushed()),
    )
    await Promise.all(
      topics.map((topic) => b.swarm.join(topic, { server: true, client: true }).flushed()),
    )
    await Promise.all([a.swarm.flush(), b.swarm.flush()])
    await eventually(() => a.open().length === 1 && b.open().length === 1, { timeout })
    await Promise.all([a.swarm.flush(), b.swarm.flush()])
    assert.is(a.open().length, 1)
    assert.is(b.open().length, 1)
  })

  it('two lookups with no announce never connect', async ({ make, timeout }) => {
    const [a, b] = await swarms(make, 2)
    const topic = randomBytes(32)
    await a.swarm.join(topic, { server: false, client: true }).flushed()
    await b.swarm.join(topic, { server: false, client: true }).flushed()
    await Promise.all([a.swarm.flush(), b.swarm.flush()])
    assert.is(a.sockets.length + b.sockets.length, 0)
  })

  it('a destroyed discovery is not found by a later lookup', async ({ make, timeout }) => {
    const [a, b] = await swarms(make, 2)
    const topic = randomBytes(32)
    const discovery = a.swarm.join(topic, { server: true, client: false })
    await discovery.flushed()
    await discovery.destroy()
    await b.swarm.join(topic, { server: false, client: true }).flushed()
    await b.swarm.flush()
    assert.is(a.sockets.length + b.sockets.length, 0)
  })

  it('a connection closed at one end closes at the other', async ({ make, timeout }) => {
    const [a, b] = await swarms(make, 2)
    await announceAndLookup(a, b, randomBytes(32))
    await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout })
    await b.sockets[0].opened
    a.sockets[0].destroy()
    await eventually(() => a.open().length === 0 && b.open().length === 0, { timeout })
  })

  it('destroy() ends every connection and makes no new one', async ({ make, timeout }) => {
    const [a, b] = await swarms(make, 2)
    const topic = randomBytes(32)
    await announceAndLookup(a, b, topic)
    await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout })
    await a.swarm.destroy()
    assert.is(a.open().length, 0, 'our end is closed when destroy() resolves')
    await eventually(() => b.open().length === 0, { timeout })
    // b still looks the topic up: once its lookup settled, a new connection would be there.
    await b.swarm.flush()
    assert.is(a.sockets.length, 1)
    assert.is(b.sockets.length, 1)
  })

  return test
}

function nextData(socket: SwarmSocket): Promise<Uint8Array> {
  return new Promise((resolve) => socket.once('data', (data: Uint8Array) => resolve(data)))
}

function noop(): void {}
