// The compliance suite of the SDK's networking seam (`NetworkerLike` in @dat-sdk/interfaces):
// every implementation, the default Networker on Hyperswarm and any transport written to replace
// it, runs these tests in its own package.
import assert from 'node:assert/strict'
import type { NetworkerLike, NetworkPeerLike, Extension } from '@dat-sdk/interfaces'
import type { Test } from 'uvu'
import { complianceSuite, type ComplianceOptions } from './compliance.js'
import { eventually } from './eventually.js'

export interface NetworkerComplianceOptions<N extends NetworkerLike> extends ComplianceOptions<N> {
  /**
   * The public key a networker's peers must see as `remotePublicKey` (e.g. `(n) => n.publicKey`).
   * Without it the suite checks only that both sides agree.
   */
  publicKey?(networker: N): Uint8Array
}

let topicCounter = 0
function topic(): Uint8Array {
  const t = new Uint8Array(32)
  crypto.getRandomValues(t)
  t[0] = topicCounter++ & 0xff
  return t
}

function isNotSupported(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'NOT_SUPPORTED'
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
}

/**
 * The behaviours every `NetworkerLike` must have, as a uvu suite:
 *
 *   const test = networkerCompliance({ name: 'tcp', setup: (t) => new TcpNetworker(t.add(store)) })
 *   test.run()
 *
 * `setup(t)` makes one networker that can reach the others it makes (register its store or
 * transport on `t`); `teardown(networker)` defaults to `networker.close()`. `timeout` (default
 * 20,000 ms) bounds each wait for a connection or a message.
 */
export function networkerCompliance<N extends NetworkerLike>(
  opts: NetworkerComplianceOptions<N>,
): Test {
  const { test, it } = complianceSuite('NetworkerLike', opts, {
    teardown: (networker) => networker.close(),
    timeout: 20_000,
  })
  const keyOf = opts.publicKey

  async function connected(nodes: NetworkerLike[], count: number, timeout: number): Promise<void> {
    await eventually(() => nodes.every((n) => n.peers.length === count), {
      timeout,
      message: `every networker to have ${count} peer(s)`,
    })
  }

  it('two networkers on one topic connect once, and each sees the other in peer-add and peers', async ({
    make,
    timeout,
  }) => {
    const a = await make()
    const b = await make()
    const addsA: NetworkPeerLike[] = []
    const addsB: NetworkPeerLike[] = []
    a.on('peer-add', (p) => addsA.push(p))
    b.on('peer-add', (p) => addsB.push(p))
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await connected([a, b], 1, timeout)
    assert.equal(addsA.length, 1)
    assert.equal(addsB.length, 1)
    assert.ok(addsA[0].remotePublicKey instanceof Uint8Array)
    if (keyOf) {
      assert.ok(equalBytes(addsA[0].remotePublicKey, keyOf(b)), 'a sees b by its public key')
      assert.ok(equalBytes(addsB[0].remotePublicKey, keyOf(a)), 'b sees a by its public key')
    }
    assert.ok(equalBytes(a.peers[0].remotePublicKey, addsA[0].remotePublicKey))
  })

  it('more shared topics do not open more connections', async ({ make, timeout }) => {
    const a = await make()
    const b = await make()
    let adds = 0
    a.on('peer-add', () => adds++)
    const topics = [topic(), topic(), topic()]
    for (const dk of topics) {
      await Promise.all([a.configure(dk), b.configure(dk)])
    }
    await connected([a, b], 1, timeout)
    // One more shared topic, flushed on both sides: once it resolves, every connection the lookups
    // were going to make has been made, so a second one would be counted by now.
    const last = topic()
    await Promise.all([a.configure(last), b.configure(last)])
    assert.equal(a.peers.length, 1)
    assert.equal(b.peers.length, 1)
    assert.equal(adds, 1)
  })

  it('an extension message sent from a peer-add handler arrives, from the right sender', async ({
    make,
    timeout,
  }) => {
    const a = await make()
    const b = await make()
    const got: Array<{ message: string; from: NetworkPeerLike }> = []
    a.registerExtension<string>('compliance-hello', {
      encoding: 'utf-8',
      onmessage: (message, from) => got.push({ message, from }),
    })
    const ext = b.registerExtension<string>('compliance-hello', { encoding: 'utf-8' })
    b.on('peer-add', (peer) => ext.send('hello from b', peer))
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await eventually(() => got.length === 1, { timeout, message: 'the first message to arrive' })
    assert.equal(got[0].message, 'hello from b')
    assert.ok(equalBytes(got[0].from.remotePublicKey, a.peers[0].remotePublicKey))
    if (keyOf) assert.ok(equalBytes(got[0].from.remotePublicKey, keyOf(b)))
  })

  it('a json request gets a json response; registering after connecting works', async ({
    make,
    timeout,
  }) => {
    const a = await make()
    const b = await make()
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await connected([a, b], 1, timeout)
    const answers: unknown[] = []
    const server: Extension<{ n: number }, NetworkPeerLike> = b.registerExtension<{ n: number }>(
      'compliance-rpc',
      { encoding: 'json', onmessage: (message, from) => server.send({ n: message.n * 2 }, from) },
    )
    const client = a.registerExtension<{ n: number }>('compliance-rpc', {
      encoding: 'json',
      onmessage: (message) => answers.push(message),
    })
    await eventually(
      () => {
        if (answers.length === 0) client.send({ n: 21 }, a.peers[0])
        return answers.length > 0
      },
      { timeout, interval: 200, message: 'an answer' },
    )
    assert.deepEqual(answers[0], { n: 42 })
  })

  it('broadcast reaches every peer', async ({ make, timeout }) => {
    const nodes = [await make(), await make(), await make()]
    const got: string[][] = nodes.map(() => [])
    const exts = nodes.map((n, i) =>
      n.registerExtension<string>('compliance-all', {
        encoding: 'utf-8',
        onmessage: (m) => got[i].push(m),
      }),
    )
    const dk = topic()
    await Promise.all(nodes.map((n) => n.configure(dk)))
    await connected(nodes, 2, timeout)
    exts[0].broadcast('to everyone')
    await eventually(() => got[1].length === 1 && got[2].length === 1, { timeout })
    assert.equal(got[1][0], 'to everyone')
    assert.equal(got[0].length, 0, 'not to ourselves')
  })

  it('a payload that fails to decode goes to onerror as BAD_MESSAGE and the connection lives on', async ({
    make,
    timeout,
  }) => {
    const a = await make()
    const b = await make()
    const errors: Error[] = []
    const good: unknown[] = []
    a.registerExtension<unknown>('compliance-json', {
      encoding: 'json',
      onmessage: (m) => good.push(m),
      onerror: (err) => errors.push(err),
    })
    const raw = b.registerExtension<Uint8Array>('compliance-json', { encoding: 'binary' })
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await connected([a, b], 1, timeout)
    await eventually(
      () => {
        if (errors.length === 0) raw.send(new TextEncoder().encode('{not json'), b.peers[0])
        return errors.length > 0
      },
      { timeout, interval: 200, message: 'a decoding error' },
    )
    assert.equal((errors[0] as Error & { code?: string }).code, 'BAD_MESSAGE')
    raw.send(new TextEncoder().encode('{"ok":true}'), b.peers[0])
    await eventually(() => good.length === 1, {
      timeout,
      message: 'a good message after a bad one',
    })
    assert.deepEqual(good[0], { ok: true })
    assert.equal(a.peers.length, 1)
  })

  it('a destroyed extension stops receiving', async ({ make, timeout }) => {
    const a = await make()
    const b = await make()
    const got: string[] = []
    const mine = a.registerExtension<string>('compliance-off', {
      encoding: 'utf-8',
      onmessage: (m) => got.push(m),
    })
    const theirs = b.registerExtension<string>('compliance-off', { encoding: 'utf-8' })
    const sentinels: string[] = []
    a.registerExtension<string>('compliance-off-sentinel', {
      encoding: 'utf-8',
      onmessage: (m) => sentinels.push(m),
    })
    const sentinel = b.registerExtension<string>('compliance-off-sentinel', { encoding: 'utf-8' })
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await connected([a, b], 1, timeout)
    await eventually(
      () => {
        theirs.broadcast('one')
        return got.length > 0
      },
      { timeout, interval: 200 },
    )
    mine.destroy()
    const before = got.length
    theirs.broadcast('two')
    // A message on another name, sent after 'two' on the same connection, arrives after it would.
    await eventually(
      () => {
        sentinel.broadcast('after two')
        return sentinels.length > 0
      },
      { timeout, interval: 200, message: 'the sentinel message' },
    )
    assert.equal(got.length, before)
  })

  it('peer-remove fires when the remote closes, and peers empties', async ({ make, timeout }) => {
    const a = await make()
    const b = await make()
    const removed: NetworkPeerLike[] = []
    a.on('peer-remove', (p) => removed.push(p))
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await connected([a, b], 1, timeout)
    await b.close()
    await eventually(() => removed.length === 1 && a.peers.length === 0, {
      timeout,
      message: 'the peer to leave',
    })
  })

  // --- optional parts: run when the subject offers them, "skipped: not offered" otherwise. A
  // method that is there but rejects / throws NOT_SUPPORTED (its transport lacks it) is not offered.

  function skipped(part: string, why = 'not offered'): void {
    console.log(`  NetworkerLike compliance: ${opts.name}: ${part} skipped: ${why}`)
  }

  it('optional joinPeer(publicKey): connects to a known peer with no topic, once', async ({
    make,
    timeout,
  }) => {
    const a = await make()
    const b = await make()
    if (typeof a.joinPeer !== 'function') return skipped('joinPeer')
    if (!keyOf) return skipped('joinPeer', 'the suite was given no publicKey()')
    await b.listen?.()
    try {
      await a.joinPeer(keyOf(b))
    } catch (err) {
      if (isNotSupported(err)) return skipped('joinPeer')
      throw err
    }
    await connected([a, b], 1, timeout)
    assert.ok(equalBytes(a.peers[0].remotePublicKey, keyOf(b)))
    // Joining again, or from the other side too, opens no second connection: a topic both join
    // afterwards, once flushed, would have shown one by now.
    await a.joinPeer(keyOf(b))
    if (typeof b.joinPeer === 'function') await b.joinPeer(keyOf(a))
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    assert.equal(a.peers.length, 1)
    assert.equal(b.peers.length, 1)
    if (typeof a.leavePeer === 'function') {
      try {
        await a.leavePeer(keyOf(b))
      } catch (err) {
        if (!isNotSupported(err)) throw err
        skipped('leavePeer')
      }
    }
  })

  it('optional suspend() / resume(): connections close, and come back with messages flowing', async ({
    make,
    timeout,
  }) => {
    const a = await make()
    const b = await make()
    if (typeof a.suspend !== 'function' || typeof a.resume !== 'function') {
      return skipped('suspend / resume')
    }
    const got: string[] = []
    b.registerExtension<string>('compliance-resume', {
      encoding: 'utf-8',
      onmessage: (m) => got.push(m),
    })
    const ext = a.registerExtension<string>('compliance-resume', { encoding: 'utf-8' })
    const dk = topic()
    await Promise.all([a.configure(dk), b.configure(dk)])
    await connected([a, b], 1, timeout)
    try {
      await a.suspend()
    } catch (err) {
      if (isNotSupported(err)) return skipped('suspend / resume')
      throw err
    }
    assert.equal(a.peers.length, 0, 'suspend() closes every connection')
    await eventually(() => b.peers.length === 0, { timeout, message: 'b to see a go' })
    await a.resume()
    await connected([a, b], 1, timeout)
    await eventually(
      () => {
        if (got.length === 0 && a.peers[0]) ext.send('after resume', a.peers[0])
        return got.length > 0
      },
      { timeout, interval: 200, message: 'a message after resume' },
    )
    assert.equal(got[0], 'after resume')
  })

  it('close() twice resolves, and the second waits for nothing', async ({ make }) => {
    const a = await make()
    await a.configure(topic())
    await Promise.all([a.close(), a.close()])
    await a.close()
  })

  return test
}
