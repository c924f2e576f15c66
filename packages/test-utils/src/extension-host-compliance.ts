// The compliance suite of the `ExtensionHost` seam (@dat-sdk/interfaces): what gossip, and
// anything else that speaks over extension messages, needs of a host. Every host kind runs it in
// its own package: `Core` (core-wrapper), `Drive` (drive-wrapper), `Networker` (networker), and a
// raw hypercore 11 core (gossip, which accepts one as its host).
//
// The suite always registers with `encoding: 'binary'` and checks the bytes arrive unchanged.
// That is deliberate: raw hypercore 11 crashes the process on a payload its `'json'` encoding
// cannot decode, so a consumer that must survive bad input registers as binary and parses itself.
// "Bad bytes do not crash" below therefore checks that a binary-registered host delivers any bytes
// and keeps the connection, not that a host's own decoders are safe.
import assert from 'node:assert/strict'
import type { BinaryExtensionHandlers, ExtensionHost } from '@dat-sdk/interfaces'
import type { Test } from 'uvu'
import { complianceSuite, type ComplianceOptions } from './compliance.js'
import { eventually } from './eventually.js'

/** One subject of the suite: two hosts of one kind that can reach each other, not connected yet. */
export interface ExtensionHostPair<P extends object = object> {
  a: ExtensionHost<P>
  b: ExtensionHost<P>
  /** Connects a and b (resolving once started is enough; the suite waits for 'peer-add'). */
  connect(): Promise<void> | void
  /** Cuts the connection between a and b. */
  disconnect(): Promise<void> | void
}

let nameCounter = 0
const extName = () => `compliance-ext-${process.pid}-${nameCounter++}`

function peersOf<P extends object>(host: ExtensionHost<P>): readonly P[] {
  const peers = host.peers
  // A method (Core, Drive) is called on its host; an array (hypercore, Networker) is read as is.
  return typeof peers === 'function' ? peers.call(host) : peers
}

interface Received {
  message: Uint8Array
  peer: object
}

function receiver(): {
  handlers: BinaryExtensionHandlers<object>
  got: Received[]
  errors: Error[]
} {
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
 * The behaviours every `ExtensionHost` must have for gossip to run on it, as a uvu suite:
 *
 *   const test = extensionHostCompliance({
 *     name: 'Core',
 *     setup: async (t) => ({ a, b, connect: () => ..., disconnect: () => ... }),
 *   })
 *   test.run()
 *
 * `setup(t)` makes one pair of hosts (register their stores and streams on `t`); `teardown(pair)`
 * does nothing by default. `timeout` (default 15,000 ms) bounds each wait.
 */
export function extensionHostCompliance<P extends object>(
  opts: ComplianceOptions<ExtensionHostPair<P>>,
): Test {
  const { test, it } = complianceSuite('ExtensionHost', opts, {
    teardown: () => {},
    timeout: 15_000,
  })

  async function connected(
    pair: ExtensionHostPair<P>,
    timeout: number,
  ): Promise<{ peerOfB: P; peerOfA: P }> {
    await pair.connect()
    await eventually(() => peersOf(pair.a).length === 1 && peersOf(pair.b).length === 1, {
      timeout,
      message: 'peers listed',
    })
    return { peerOfB: peersOf(pair.a)[0], peerOfA: peersOf(pair.b)[0] }
  }

  it(`'peer-add' fires on both sides, with a peer that peers lists`, async ({ make, timeout }) => {
    const pair = await make()
    const added: { a: P[]; b: P[] } = { a: [], b: [] }
    const onA = (p: P) => added.a.push(p)
    const onB = (p: P) => added.b.push(p)
    pair.a.on('peer-add', onA)
    pair.b.on('peer-add', onB)
    await pair.connect()
    await eventually(() => added.a.length === 1 && added.b.length === 1, {
      timeout,
      message: "'peer-add' on both sides",
    })
    assert.ok(peersOf(pair.a).includes(added.a[0]), 'a lists the peer it announced')
    assert.ok(peersOf(pair.b).includes(added.b[0]), 'b lists the peer it announced')
    pair.a.off('peer-add', onA)
    pair.b.off('peer-add', onB)
  })

  it(`a message sent from a 'peer-add' handler arrives`, async ({ make, timeout }) => {
    const pair = await make()
    const name = extName()
    const rb = receiver()
    const extA = pair.a.registerExtension(name, receiver().handlers)
    pair.b.registerExtension(name, rb.handlers)
    pair.a.on('peer-add', (peer) => extA.send(bytes('first'), peer))
    await pair.connect()
    await eventually(() => rb.got.length === 1, { timeout, message: 'the first message' })
    assert.equal(text(rb.got[0].message), 'first')
  })

  it(`send() delivers the bytes unchanged, with the peer object the host announced`, async ({
    make,
    timeout,
  }) => {
    const pair = await make()
    const name = extName()
    const ra = receiver()
    const rb = receiver()
    const extA = pair.a.registerExtension(name, ra.handlers)
    const extB = pair.b.registerExtension(name, rb.handlers)
    let announcedOnB: P | null = null
    pair.b.on('peer-add', (peer) => (announcedOnB = peer))
    const { peerOfB, peerOfA } = await connected(pair, timeout)
    const all = new Uint8Array(256).map((_, i) => i)
    extA.send(all, peerOfB)
    extB.send(bytes('back'), peerOfA)
    await eventually(() => rb.got.length === 1 && ra.got.length === 1, {
      timeout,
      message: 'both messages',
    })
    assert.deepEqual(rb.got[0].message, all)
    assert.equal(text(ra.got[0].message), 'back')
    assert.equal(rb.got[0].peer, peerOfA, "onmessage's peer is the one peers lists")
    assert.equal(rb.got[0].peer, announcedOnB, "and the one 'peer-add' gave")
    assert.equal(ra.got[0].peer, peerOfB)
  })

  it(`broadcast() reaches the connected peers`, async ({ make, timeout }) => {
    const pair = await make()
    const name = extName()
    const rb = receiver()
    const extA = pair.a.registerExtension(name, receiver().handlers)
    pair.b.registerExtension(name, rb.handlers)
    await connected(pair, timeout)
    extA.broadcast(bytes('to all'))
    await eventually(() => rb.got.length === 1, { timeout, message: 'the broadcast' })
    assert.equal(text(rb.got[0].message), 'to all')
  })

  it(`an extension registered after connecting works on that connection`, async ({
    make,
    timeout,
  }) => {
    const pair = await make()
    const { peerOfB } = await connected(pair, timeout)
    const name = extName()
    const rb = receiver()
    pair.b.registerExtension(name, rb.handlers)
    const extA = pair.a.registerExtension(name, receiver().handlers)
    // Once both sides have registered, a message gets through (the first may race b's setup).
    await eventually(
      () => {
        if (rb.got.length === 0) extA.send(bytes('late'), peerOfB)
        return rb.got.length > 0
      },
      { timeout, message: 'a message on a late extension' },
    )
    assert.equal(text(rb.got[0].message), 'late')
  })

  it(`bytes that are not UTF-8 or JSON arrive as bytes; nothing crashes`, async ({
    make,
    timeout,
  }) => {
    const pair = await make()
    const name = extName()
    const rb = receiver()
    const extA = pair.a.registerExtension(name, receiver().handlers)
    pair.b.registerExtension(name, rb.handlers)
    const { peerOfB } = await connected(pair, timeout)
    const garbage = [
      new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
      bytes('{"keys": ['),
      bytes('null'),
      new Uint8Array(1),
    ]
    for (const g of garbage) extA.send(g, peerOfB)
    extA.send(bytes('still here'), peerOfB)
    await eventually(() => rb.got.length === garbage.length + 1, {
      timeout,
      message: 'every message',
    })
    garbage.forEach((g, i) => assert.deepEqual(rb.got[i].message, g))
    assert.equal(text(rb.got[garbage.length].message), 'still here')
    assert.equal(peersOf(pair.b).length, 1, 'the connection lives on')
  })

  it(`messages on one extension name never reach another`, async ({ make, timeout }) => {
    const pair = await make()
    const x = extName()
    const y = extName()
    const rx = receiver()
    const ry = receiver()
    const extX = pair.a.registerExtension(x, receiver().handlers)
    const extY = pair.a.registerExtension(y, receiver().handlers)
    pair.b.registerExtension(x, rx.handlers)
    pair.b.registerExtension(y, ry.handlers)
    const { peerOfB } = await connected(pair, timeout)
    extY.send(bytes('for y'), peerOfB)
    extX.send(bytes('for x'), peerOfB)
    extY.send(bytes('for y again'), peerOfB)
    await eventually(() => rx.got.length === 1 && ry.got.length === 2, {
      timeout,
      message: 'messages on both names',
    })
    assert.equal(text(rx.got[0].message), 'for x')
    assert.deepEqual(
      ry.got.map((r) => text(r.message)),
      ['for y', 'for y again'],
    )
  })

  it(`after destroy() nothing more is delivered`, async ({ make, timeout }) => {
    const pair = await make()
    const name = extName()
    const rb = receiver()
    const extA = pair.a.registerExtension(name, receiver().handlers)
    const extB = pair.b.registerExtension(name, rb.handlers)
    const sentinel = extName()
    const rs = receiver()
    const sentinelA = pair.a.registerExtension(sentinel, receiver().handlers)
    pair.b.registerExtension(sentinel, rs.handlers)
    const { peerOfB } = await connected(pair, timeout)
    extA.send(bytes('one'), peerOfB)
    await eventually(() => rb.got.length === 1, { timeout, message: 'the first message' })
    extB.destroy()
    extA.send(bytes('two'), peerOfB)
    extA.broadcast(bytes('three'))
    // A message on another name, sent after those on the same connection, arrives after them.
    sentinelA.send(bytes('after'), peerOfB)
    await eventually(() => rs.got.length === 1, { timeout, message: 'the sentinel message' })
    assert.equal(rb.got.length, 1)
  })

  it(`'peer-remove' fires on disconnect and peers no longer lists the peer`, async ({
    make,
    timeout,
  }) => {
    const pair = await make()
    const removed: P[] = []
    pair.a.on('peer-remove', (peer) => removed.push(peer))
    const { peerOfB } = await connected(pair, timeout)
    await pair.disconnect()
    await eventually(() => removed.length === 1, { timeout, message: "'peer-remove'" })
    assert.equal(removed[0], peerOfB)
    await eventually(() => peersOf(pair.a).length === 0 && peersOf(pair.b).length === 0, {
      timeout,
      message: 'no peers',
    })
  })

  return test
}
