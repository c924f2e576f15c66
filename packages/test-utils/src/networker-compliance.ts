// The compliance suite of the SDK's networking seam (`NetworkerLike` in @dat-sdk/sdk): every
// implementation, the default Networker on Hyperswarm and any transport written to replace it,
// runs these tests. Structural types only: test-utils depends on no package of the SDK.
import assert from 'node:assert/strict'
import { eventually, sleep } from './eventually.js'
import { teardown, type Teardown } from './teardown.js'

export interface CompliancePeer {
  readonly remotePublicKey: Uint8Array
}

export interface ComplianceExtension<M> {
  send(message: M, peer: CompliancePeer): void
  broadcast(message: M): void
  destroy(): void
}

export interface ComplianceHandlers<M> {
  encoding?: 'binary' | 'utf-8' | 'json'
  onmessage?(message: M, peer: CompliancePeer): void
  onerror?(err: Error, peer?: CompliancePeer): void
}

/** What the suite needs of a networker: the `NetworkerLike` shape. */
export interface ComplianceNetworker {
  configure(
    discoveryKey: Uint8Array,
    opts?: { announce?: boolean; lookup?: boolean; flush?: boolean },
  ): Promise<void>
  readonly peers: ReadonlyArray<CompliancePeer>
  on(event: 'peer-add' | 'peer-remove', listener: (peer: CompliancePeer) => void): unknown
  off(event: 'peer-add' | 'peer-remove', listener: (peer: CompliancePeer) => void): unknown
  registerExtension<M>(name: string, handlers?: ComplianceHandlers<M>): ComplianceExtension<M>
  close(): Promise<void>
  listen?(): Promise<void>
}

export interface NetworkerComplianceHarness {
  /**
   * A fresh networker that can reach the others this harness makes. Register what must be closed
   * besides the networker (its store, its transport) on `t`; the suite closes the networker itself.
   * `publicKey`, when given, is what its peers must see as `remotePublicKey`.
   */
  create(t: Teardown): Promise<{ networker: ComplianceNetworker; publicKey?: Uint8Array }>
}

export interface NetworkerComplianceOptions {
  /** How long to wait for connections and messages (ms, default 20,000). */
  timeout?: number
}

type TestFn = (name: string, fn: () => Promise<void>) => unknown

let topicCounter = 0
function topic(): Uint8Array {
  const t = new Uint8Array(32)
  crypto.getRandomValues(t)
  t[0] = topicCounter++ & 0xff
  return t
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
}

/**
 * Registers the suite's tests on `test` (a uvu suite, or anything with that call shape), each
 * named `<label>: <behaviour>`.
 */
export function networkerCompliance(
  label: string,
  test: TestFn,
  harness: NetworkerComplianceHarness,
  opts: NetworkerComplianceOptions = {},
): void {
  const timeout = opts.timeout ?? 20_000

  async function make(
    t: Teardown,
  ): Promise<{ networker: ComplianceNetworker; publicKey?: Uint8Array }> {
    const made = await harness.create(t)
    t.add(() => made.networker.close())
    return made
  }

  async function connected(nodes: ComplianceNetworker[], count: number): Promise<void> {
    await eventually(() => nodes.every((n) => n.peers.length === count), {
      timeout,
      message: `every networker to have ${count} peer(s)`,
    })
  }

  const it = (name: string, fn: (t: Teardown) => Promise<void>) =>
    test(`${label}: ${name}`, async () => {
      const t = teardown()
      try {
        await fn(t)
      } finally {
        await t.run()
      }
    })

  it('two networkers on one topic connect once, and each sees the other in peer-add and peers', async (t) => {
    const a = await make(t)
    const b = await make(t)
    const addsA: CompliancePeer[] = []
    const addsB: CompliancePeer[] = []
    a.networker.on('peer-add', (p) => addsA.push(p))
    b.networker.on('peer-add', (p) => addsB.push(p))
    const dk = topic()
    await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    await connected([a.networker, b.networker], 1)
    assert.equal(addsA.length, 1)
    assert.equal(addsB.length, 1)
    assert.ok(addsA[0].remotePublicKey instanceof Uint8Array)
    if (a.publicKey && b.publicKey) {
      assert.ok(equalBytes(addsA[0].remotePublicKey, b.publicKey), 'a sees b by its public key')
      assert.ok(equalBytes(addsB[0].remotePublicKey, a.publicKey), 'b sees a by its public key')
    }
    assert.ok(equalBytes(a.networker.peers[0].remotePublicKey, addsA[0].remotePublicKey))
  })

  it('more shared topics do not open more connections', async (t) => {
    const a = await make(t)
    const b = await make(t)
    let adds = 0
    a.networker.on('peer-add', () => adds++)
    const topics = [topic(), topic(), topic()]
    for (const dk of topics) {
      await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    }
    await connected([a.networker, b.networker], 1)
    await sleep(300)
    assert.equal(a.networker.peers.length, 1)
    assert.equal(adds, 1)
  })

  it('an extension message sent from a peer-add handler arrives, from the right sender', async (t) => {
    const a = await make(t)
    const b = await make(t)
    const got: Array<{ message: string; from: CompliancePeer }> = []
    a.networker.registerExtension<string>('compliance-hello', {
      encoding: 'utf-8',
      onmessage: (message, from) => got.push({ message, from }),
    })
    const ext = b.networker.registerExtension<string>('compliance-hello', { encoding: 'utf-8' })
    b.networker.on('peer-add', (peer) => ext.send('hello from b', peer))
    const dk = topic()
    await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    await eventually(() => got.length === 1, { timeout, message: 'the first message to arrive' })
    assert.equal(got[0].message, 'hello from b')
    assert.ok(equalBytes(got[0].from.remotePublicKey, a.networker.peers[0].remotePublicKey))
    if (b.publicKey) assert.ok(equalBytes(got[0].from.remotePublicKey, b.publicKey))
  })

  it('a json request gets a json response; registering after connecting works', async (t) => {
    const a = await make(t)
    const b = await make(t)
    const dk = topic()
    await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    await connected([a.networker, b.networker], 1)
    const answers: unknown[] = []
    const server: ComplianceExtension<{ n: number }> = b.networker.registerExtension<{ n: number }>(
      'compliance-rpc',
      { encoding: 'json', onmessage: (message, from) => server.send({ n: message.n * 2 }, from) },
    )
    const client = a.networker.registerExtension<{ n: number }>('compliance-rpc', {
      encoding: 'json',
      onmessage: (message) => answers.push(message),
    })
    await eventually(
      () => {
        if (answers.length === 0) client.send({ n: 21 }, a.networker.peers[0])
        return answers.length > 0
      },
      { timeout, interval: 200, message: 'an answer' },
    )
    assert.deepEqual(answers[0], { n: 42 })
  })

  it('broadcast reaches every peer', async (t) => {
    const nodes = [await make(t), await make(t), await make(t)]
    const got: string[][] = nodes.map(() => [])
    const exts = nodes.map((n, i) =>
      n.networker.registerExtension<string>('compliance-all', {
        encoding: 'utf-8',
        onmessage: (m) => got[i].push(m),
      }),
    )
    const dk = topic()
    await Promise.all(nodes.map((n) => n.networker.configure(dk)))
    await connected(
      nodes.map((n) => n.networker),
      2,
    )
    exts[0].broadcast('to everyone')
    await eventually(() => got[1].length === 1 && got[2].length === 1, { timeout })
    assert.equal(got[1][0], 'to everyone')
    assert.equal(got[0].length, 0, 'not to ourselves')
  })

  it('a payload that fails to decode goes to onerror as BAD_MESSAGE and the connection lives on', async (t) => {
    const a = await make(t)
    const b = await make(t)
    const errors: Error[] = []
    const good: unknown[] = []
    a.networker.registerExtension<unknown>('compliance-json', {
      encoding: 'json',
      onmessage: (m) => good.push(m),
      onerror: (err) => errors.push(err),
    })
    const raw = b.networker.registerExtension<Uint8Array>('compliance-json', { encoding: 'binary' })
    const dk = topic()
    await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    await connected([a.networker, b.networker], 1)
    await eventually(
      () => {
        if (errors.length === 0)
          raw.send(new TextEncoder().encode('{not json'), b.networker.peers[0])
        return errors.length > 0
      },
      { timeout, interval: 200, message: 'a decoding error' },
    )
    assert.equal((errors[0] as Error & { code?: string }).code, 'BAD_MESSAGE')
    raw.send(new TextEncoder().encode('{"ok":true}'), b.networker.peers[0])
    await eventually(() => good.length === 1, {
      timeout,
      message: 'a good message after a bad one',
    })
    assert.deepEqual(good[0], { ok: true })
    assert.equal(a.networker.peers.length, 1)
  })

  it('a destroyed extension stops receiving', async (t) => {
    const a = await make(t)
    const b = await make(t)
    const got: string[] = []
    const mine = a.networker.registerExtension<string>('compliance-off', {
      encoding: 'utf-8',
      onmessage: (m) => got.push(m),
    })
    const theirs = b.networker.registerExtension<string>('compliance-off', { encoding: 'utf-8' })
    const dk = topic()
    await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    await connected([a.networker, b.networker], 1)
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
    await sleep(300)
    assert.equal(got.length, before)
  })

  it('peer-remove fires when the remote closes, and peers empties', async (t) => {
    const a = await make(t)
    const b = await make(t)
    const removed: CompliancePeer[] = []
    a.networker.on('peer-remove', (p) => removed.push(p))
    const dk = topic()
    await Promise.all([a.networker.configure(dk), b.networker.configure(dk)])
    await connected([a.networker, b.networker], 1)
    await b.networker.close()
    await eventually(() => removed.length === 1 && a.networker.peers.length === 0, {
      timeout,
      message: 'the peer to leave',
    })
  })

  it('close() twice resolves, and the second waits for nothing', async (t) => {
    const a = await make(t)
    await a.networker.configure(topic())
    await Promise.all([a.networker.close(), a.networker.close()])
    await a.networker.close()
  })
}
