// The compliance suite of the `ExtensionHost` seam (owned by @dat-sdk/gossip): what gossip, and
// anything else that speaks over extension messages, needs of a host. Every host kind runs it: a
// raw hypercore 11 core, a `Core`, a `Drive`, a `Networker`. Structural types only: test-utils
// depends on no package of the SDK.
//
// The suite always registers with `encoding: 'binary'` and checks the bytes arrive unchanged.
// That is deliberate: raw hypercore 11 crashes the process on a payload its `'json'` encoding
// cannot decode, so a consumer that must survive bad input registers as binary and parses itself.
// "Bad bytes do not crash" below therefore checks that a binary-registered host delivers any bytes
// and keeps the connection, not that a host's own decoders are safe.
import assert from 'node:assert/strict'
import { eventually, sleep } from './eventually.js'
import { teardown, type Teardown } from './teardown.js'

export interface ComplianceHostHandlers {
  encoding: 'binary'
  onmessage(message: Uint8Array, peer: object): void
  onerror?(err: Error, peer?: object): void
}

export interface ComplianceHostExtension {
  send(message: Uint8Array, peer: object): void
  broadcast(message: Uint8Array): void
  destroy(): void
}

/** The `ExtensionHost` shape (gossip's seam): `peers` is an array or a method returning one. */
export interface ComplianceExtensionHost {
  registerExtension(name: string, handlers: ComplianceHostHandlers): ComplianceHostExtension
  readonly peers: readonly object[] | (() => readonly object[])
  on(event: 'peer-add' | 'peer-remove', listener: (peer: object) => void): unknown
  off(event: 'peer-add' | 'peer-remove', listener: (peer: object) => void): unknown
}

export interface ExtensionHostPair {
  a: ComplianceExtensionHost
  b: ComplianceExtensionHost
  /** Connects a and b (resolving once started is enough; the suite waits for 'peer-add'). */
  connect(): Promise<void> | void
  /** Cuts the connection between a and b. */
  disconnect(): Promise<void> | void
}

export interface ExtensionHostComplianceHarness {
  /**
   * Two hosts of one kind, not connected yet, that can reach each other. Register everything
   * that must be closed (stores, swarms, streams) on `t`.
   */
  create(t: Teardown): Promise<ExtensionHostPair>
}

export interface ExtensionHostComplianceOptions {
  /** How long to wait for connections and messages (ms, default 15,000). */
  timeout?: number
}

type TestFn = (name: string, fn: () => Promise<void>) => unknown

let nameCounter = 0
const extName = () => `compliance-ext-${process.pid}-${nameCounter++}`

function peersOf(host: ComplianceExtensionHost): readonly object[] {
  const peers = host.peers
  return typeof peers === 'function' ? (host.peers as () => readonly object[])() : peers
}

interface Received {
  message: Uint8Array
  peer: object
}

function receiver(): { handlers: ComplianceHostHandlers; got: Received[]; errors: Error[] } {
  const got: Received[] = []
  const errors: Error[] = []
  return {
    got,
    errors,
    handlers: {
      encoding: 'binary',
      onmessage: (message, peer) => {
        got.push({ message: new Uint8Array(message), peer })
      },
      onerror: (err) => {
        errors.push(err)
      },
    },
  }
}

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

/**
 * Registers the suite's tests on `test` (a uvu suite, or anything with that call shape), each
 * named `<label>: <behaviour>`.
 */
export function extensionHostCompliance(
  label: string,
  test: TestFn,
  harness: ExtensionHostComplianceHarness,
  opts: ExtensionHostComplianceOptions = {},
): void {
  const timeout = opts.timeout ?? 15_000
  const wait = <T>(fn: () => T, message: string) => eventually(fn, { timeout, message })

  async function connected(pair: ExtensionHostPair): Promise<{ peerOfB: object; peerOfA: object }> {
    await pair.connect()
    await wait(() => peersOf(pair.a).length === 1 && peersOf(pair.b).length === 1, 'peers listed')
    return { peerOfB: peersOf(pair.a)[0], peerOfA: peersOf(pair.b)[0] }
  }

  async function withPair(fn: (pair: ExtensionHostPair, t: Teardown) => Promise<void>) {
    const t = teardown()
    try {
      await fn(await harness.create(t), t)
    } finally {
      await t.run()
    }
  }

  test(`${label}: 'peer-add' fires on both sides, with a peer that peers lists`, () =>
    withPair(async (pair) => {
      const added: { a: object[]; b: object[] } = { a: [], b: [] }
      const onA = (p: object) => added.a.push(p)
      const onB = (p: object) => added.b.push(p)
      pair.a.on('peer-add', onA)
      pair.b.on('peer-add', onB)
      await pair.connect()
      await wait(() => added.a.length === 1 && added.b.length === 1, "'peer-add' on both sides")
      assert.ok(peersOf(pair.a).includes(added.a[0]), 'a lists the peer it announced')
      assert.ok(peersOf(pair.b).includes(added.b[0]), 'b lists the peer it announced')
      pair.a.off('peer-add', onA)
      pair.b.off('peer-add', onB)
    }))

  test(`${label}: a message sent from a 'peer-add' handler arrives`, () =>
    withPair(async (pair) => {
      const name = extName()
      const rb = receiver()
      const extA = pair.a.registerExtension(name, receiver().handlers)
      pair.b.registerExtension(name, rb.handlers)
      pair.a.on('peer-add', (peer) => extA.send(bytes('first'), peer))
      await pair.connect()
      await wait(() => rb.got.length === 1, 'the first message')
      assert.equal(text(rb.got[0].message), 'first')
    }))

  test(`${label}: send() delivers the bytes unchanged, with the peer object the host announced`, () =>
    withPair(async (pair) => {
      const name = extName()
      const ra = receiver()
      const rb = receiver()
      const extA = pair.a.registerExtension(name, ra.handlers)
      const extB = pair.b.registerExtension(name, rb.handlers)
      let announcedOnB: object | null = null
      pair.b.on('peer-add', (peer) => (announcedOnB = peer))
      const { peerOfB, peerOfA } = await connected(pair)
      const all = new Uint8Array(256).map((_, i) => i)
      extA.send(all, peerOfB)
      extB.send(bytes('back'), peerOfA)
      await wait(() => rb.got.length === 1 && ra.got.length === 1, 'both messages')
      assert.deepEqual(rb.got[0].message, all)
      assert.equal(text(ra.got[0].message), 'back')
      assert.equal(rb.got[0].peer, peerOfA, "onmessage's peer is the one peers lists")
      assert.equal(rb.got[0].peer, announcedOnB, "and the one 'peer-add' gave")
      assert.equal(ra.got[0].peer, peerOfB)
    }))

  test(`${label}: broadcast() reaches the connected peers`, () =>
    withPair(async (pair) => {
      const name = extName()
      const rb = receiver()
      const extA = pair.a.registerExtension(name, receiver().handlers)
      pair.b.registerExtension(name, rb.handlers)
      await connected(pair)
      extA.broadcast(bytes('to all'))
      await wait(() => rb.got.length === 1, 'the broadcast')
      assert.equal(text(rb.got[0].message), 'to all')
    }))

  test(`${label}: an extension registered after connecting works on that connection`, () =>
    withPair(async (pair) => {
      const { peerOfB } = await connected(pair)
      const name = extName()
      const rb = receiver()
      pair.b.registerExtension(name, rb.handlers)
      const extA = pair.a.registerExtension(name, receiver().handlers)
      // Once both sides have registered, a message gets through (the first may race b's setup).
      await wait(() => {
        if (rb.got.length === 0) extA.send(bytes('late'), peerOfB)
        return rb.got.length > 0
      }, 'a message on a late extension')
      assert.equal(text(rb.got[0].message), 'late')
    }))

  test(`${label}: bytes that are not UTF-8 or JSON arrive as bytes; nothing crashes`, () =>
    withPair(async (pair) => {
      const name = extName()
      const rb = receiver()
      const extA = pair.a.registerExtension(name, receiver().handlers)
      pair.b.registerExtension(name, rb.handlers)
      const { peerOfB } = await connected(pair)
      const garbage = [
        new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
        bytes('{"keys": ['),
        bytes('null'),
        new Uint8Array(1),
      ]
      for (const g of garbage) extA.send(g, peerOfB)
      extA.send(bytes('still here'), peerOfB)
      await wait(() => rb.got.length === garbage.length + 1, 'every message')
      garbage.forEach((g, i) => assert.deepEqual(rb.got[i].message, g))
      assert.equal(text(rb.got[garbage.length].message), 'still here')
      assert.equal(peersOf(pair.b).length, 1, 'the connection lives on')
    }))

  test(`${label}: messages on one extension name never reach another`, () =>
    withPair(async (pair) => {
      const x = extName()
      const y = extName()
      const rx = receiver()
      const ry = receiver()
      const extX = pair.a.registerExtension(x, receiver().handlers)
      const extY = pair.a.registerExtension(y, receiver().handlers)
      pair.b.registerExtension(x, rx.handlers)
      pair.b.registerExtension(y, ry.handlers)
      const { peerOfB } = await connected(pair)
      extY.send(bytes('for y'), peerOfB)
      extX.send(bytes('for x'), peerOfB)
      extY.send(bytes('for y again'), peerOfB)
      await wait(() => rx.got.length === 1 && ry.got.length === 2, 'messages on both names')
      assert.equal(text(rx.got[0].message), 'for x')
      assert.deepEqual(
        ry.got.map((r) => text(r.message)),
        ['for y', 'for y again'],
      )
    }))

  test(`${label}: after destroy() nothing more is delivered`, () =>
    withPair(async (pair) => {
      const name = extName()
      const rb = receiver()
      const extA = pair.a.registerExtension(name, receiver().handlers)
      const extB = pair.b.registerExtension(name, rb.handlers)
      const { peerOfB } = await connected(pair)
      extA.send(bytes('one'), peerOfB)
      await wait(() => rb.got.length === 1, 'the first message')
      extB.destroy()
      extA.send(bytes('two'), peerOfB)
      extA.broadcast(bytes('three'))
      await sleep(300)
      assert.equal(rb.got.length, 1)
    }))

  test(`${label}: 'peer-remove' fires on disconnect and peers no longer lists the peer`, () =>
    withPair(async (pair) => {
      const removed: object[] = []
      pair.a.on('peer-remove', (peer) => removed.push(peer))
      const { peerOfB } = await connected(pair)
      await pair.disconnect()
      await wait(() => removed.length === 1, "'peer-remove'")
      assert.equal(removed[0], peerOfB)
      await wait(() => peersOf(pair.a).length === 0 && peersOf(pair.b).length === 0, 'no peers')
    }))
}
