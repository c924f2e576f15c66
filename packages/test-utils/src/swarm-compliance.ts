import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { suite, type Test } from 'uvu'
import * as assert from 'uvu/assert'
import { eventually, sleep } from './eventually.js'
import { teardown } from './teardown.js'

/** A connection as a SwarmLike gives it (structurally; the networker's `SwarmSocket`). */
export interface ComplianceSocket extends Duplex {
  readonly remotePublicKey: Uint8Array | null
  readonly isInitiator?: boolean
  readonly opened?: Promise<boolean>
}

/** A discovery session, as `join()` returns it. */
export interface ComplianceDiscovery {
  flushed(): Promise<unknown>
  destroy(): Promise<unknown>
}

/**
 * What every SwarmLike has (the structural type `@dat-sdk/networker` exports as `SwarmLike`;
 * test-utils cannot depend on the networker, so it is spelled out here).
 */
export interface ComplianceSwarm {
  readonly keyPair: { publicKey: Uint8Array; secretKey: Uint8Array }
  join(topic: Uint8Array, opts: { server: boolean; client: boolean }): ComplianceDiscovery
  flush(): Promise<unknown>
  listen(): Promise<unknown>
  on(event: 'connection', listener: (socket: ComplianceSocket, info: unknown) => void): unknown
  off(event: 'connection', listener: (socket: ComplianceSocket, info: unknown) => void): unknown
  destroy(): Promise<unknown>
}

export interface SwarmComplianceHarness {
  /** A fresh swarm; every swarm one test creates must be able to reach the others. */
  create(): ComplianceSwarm | Promise<ComplianceSwarm>
  /** Runs once after the suite (e.g. destroys a testnet). */
  destroy?(): Promise<void>
}

interface Watched {
  swarm: ComplianceSwarm
  /** Every connection the swarm emitted, in order. */
  sockets: ComplianceSocket[]
  /** The ones not closed yet. */
  open(): ComplianceSocket[]
}

/**
 * The behaviours every `SwarmLike` must have for the networker to run on it, as a uvu suite:
 *
 *   const test = swarmCompliance('MemorySwarm', () => ({ create: () => new MemorySwarm({ network }) }))
 *   test.run()
 *
 * `setup` runs once before the suite; each test creates its swarms and destroys them.
 */
export function swarmCompliance(
  name: string,
  setup: () => SwarmComplianceHarness | Promise<SwarmComplianceHarness>,
): Test {
  const test = suite(`SwarmLike compliance: ${name}`)
  let harness: SwarmComplianceHarness | null = null

  test.before(async () => {
    harness = await setup()
  })
  test.after(async () => {
    await harness?.destroy?.()
    harness = null
  })

  async function swarms(t: ReturnType<typeof teardown>, n: number): Promise<Watched[]> {
    const out: Watched[] = []
    for (let i = 0; i < n; i++) {
      const swarm = await harness!.create()
      t.add(() => swarm.destroy())
      const sockets: ComplianceSocket[] = []
      const closed = new Set<ComplianceSocket>()
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

  test('has a key pair whose public key is 32 bytes', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      assert.instance(a.swarm.keyPair.publicKey, Uint8Array)
      assert.is(a.swarm.keyPair.publicKey.byteLength, 32)
      assert.ok(a.swarm.keyPair.secretKey.byteLength > 0)
      assert.not.equal(a.swarm.keyPair.publicKey, b.swarm.keyPair.publicKey)
    } finally {
      await t.run()
    }
  })

  test('connects a lookup to an announce; after the handshake each end knows the other key', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      await announceAndLookup(a, b, randomBytes(32))
      await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout: 15_000 })
      const [sa] = a.sockets
      const [sb] = b.sockets
      if (sa.opened) assert.is(await sa.opened, true)
      if (sb.opened) assert.is(await sb.opened, true)
      assert.equal(sa.remotePublicKey, b.swarm.keyPair.publicKey)
      assert.equal(sb.remotePublicKey, a.swarm.keyPair.publicKey)
      if (sa.isInitiator !== undefined) assert.is(sa.isInitiator, false, 'the announcer accepted')
      if (sb.isInitiator !== undefined) assert.is(sb.isInitiator, true, 'the lookup dialled')
    } finally {
      await t.run()
    }
  })

  test('flush() resolves only once the connection to an announcer was made', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      const topic = randomBytes(32)
      await a.swarm.join(topic, { server: true, client: false }).flushed()
      b.swarm.join(topic, { server: false, client: true })
      await b.swarm.flush()
      assert.is(b.sockets.length, 1)
    } finally {
      await t.run()
    }
  })

  test('carries bytes both ways', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      await announceAndLookup(a, b, randomBytes(32))
      await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout: 15_000 })
      const [sa] = a.sockets
      const [sb] = b.sockets
      const atB = nextData(sb)
      sa.write(Buffer.from('ping'))
      assert.is(Buffer.from(await atB).toString(), 'ping')
      const atA = nextData(sa)
      sb.write(Buffer.from('pong'))
      assert.is(Buffer.from(await atA).toString(), 'pong')
    } finally {
      await t.run()
    }
  })

  test('keeps one connection per pair of swarms whatever the number of shared topics', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      const topics = [randomBytes(32), randomBytes(32), randomBytes(32)]
      await Promise.all(
        topics.map((topic) => a.swarm.join(topic, { server: true, client: true }).flushed()),
      )
      await Promise.all(
        topics.map((topic) => b.swarm.join(topic, { server: true, client: true }).flushed()),
      )
      await Promise.all([a.swarm.flush(), b.swarm.flush()])
      await eventually(() => a.open().length === 1 && b.open().length === 1, { timeout: 15_000 })
      await Promise.all([a.swarm.flush(), b.swarm.flush()])
      assert.is(a.open().length, 1)
      assert.is(b.open().length, 1)
    } finally {
      await t.run()
    }
  })

  test('two lookups with no announce never connect', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      const topic = randomBytes(32)
      await a.swarm.join(topic, { server: false, client: true }).flushed()
      await b.swarm.join(topic, { server: false, client: true }).flushed()
      await Promise.all([a.swarm.flush(), b.swarm.flush()])
      assert.is(a.sockets.length + b.sockets.length, 0)
    } finally {
      await t.run()
    }
  })

  test('a destroyed discovery is not found by a later lookup', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      const topic = randomBytes(32)
      const discovery = a.swarm.join(topic, { server: true, client: false })
      await discovery.flushed()
      await discovery.destroy()
      await b.swarm.join(topic, { server: false, client: true }).flushed()
      await b.swarm.flush()
      assert.is(a.sockets.length + b.sockets.length, 0)
    } finally {
      await t.run()
    }
  })

  test('a connection closed at one end closes at the other', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      await announceAndLookup(a, b, randomBytes(32))
      await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout: 15_000 })
      await b.sockets[0].opened
      a.sockets[0].destroy()
      await eventually(() => a.open().length === 0 && b.open().length === 0, { timeout: 15_000 })
    } finally {
      await t.run()
    }
  })

  test('destroy() ends every connection and makes no new one', async () => {
    const t = teardown()
    try {
      const [a, b] = await swarms(t, 2)
      const topic = randomBytes(32)
      await announceAndLookup(a, b, topic)
      await eventually(() => a.sockets.length === 1 && b.sockets.length === 1, { timeout: 15_000 })
      await a.swarm.destroy()
      assert.is(a.open().length, 0, 'our end is closed when destroy() resolves')
      await eventually(() => b.open().length === 0, { timeout: 15_000 })
      await sleep(50)
      assert.is(a.sockets.length, 1)
    } finally {
      await t.run()
    }
  })

  return test
}

function nextData(socket: ComplianceSocket): Promise<Uint8Array> {
  return new Promise((resolve) => socket.once('data', (data: Uint8Array) => resolve(data)))
}

function noop(): void {}
