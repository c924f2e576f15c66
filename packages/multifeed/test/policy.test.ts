import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import type { Hypercore } from '@dat-sdk/store'
import { eventually, teardown, type Teardown } from '@dat-sdk/test-utils'
import { Multifeed } from '@dat-sdk/multifeed'
import { rawPeer, hex } from './raw-peer.js'
import { pipe, settled } from './sync.js'

const test = suite('multifeed: accept, maxFeeds, the request API and bad remotes')

type Reported = Array<{ code: string; err: Error & { code: string }; peer: unknown }>

function multifeed(
  t: Teardown,
  opts: ConstructorParameters<typeof Multifeed>[1] = {},
): Multifeed<string> {
  return t.add(new Multifeed<string>(t.tmpDir(), { valueEncoding: 'utf-8', ...opts }))
}

function reports(m: Multifeed<unknown>): Reported {
  const list: Reported = []
  m.on('extension-error', (err: Error & { code: string }, peer: unknown) =>
    list.push({ code: err.code, err, peer }),
  )
  return list
}

async function writers(m: Multifeed<string>, names: string[]): Promise<Array<Hypercore<string>>> {
  const out: Array<Hypercore<string>> = []
  for (const name of names) {
    const w = await m.writer(name)
    await w.append(`${name} says hi`)
    out.push(w)
  }
  return out
}

test('accept(key) chooses which remote feeds to download', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    const [cat, dog] = await writers(m1, ['cat', 'dog'])
    const asked: string[] = []
    const m2 = multifeed(t, {
      accept: (key) => {
        asked.push(hex(key))
        return hex(key) === hex(cat.key)
      },
    })
    const [rat] = await writers(m2, ['rat'])
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.equal(asked.sort(), [hex(cat.key), hex(dog.key)].sort())
    assert.equal(
      m2.feeds().map((f) => hex(f.key)),
      [hex(rat.key), hex(cat.key)],
    )
    assert.is(await m2.feeds()[1].get(0), 'cat says hi')
    assert.is(m2.feed(dog.key!), undefined)
    assert.ok(m1.feed(rat.key!), 'the other way is unaffected')
  } finally {
    await t.run()
  }
})

test('maxFeeds: a remote offering more is TOO_MANY_FEEDS, and nothing is opened', async () => {
  const t = teardown()
  try {
    const m1 = multifeed(t)
    await writers(m1, ['a', 'b', 'c'])
    const m2 = multifeed(t, { maxFeeds: 2 })
    const reported = reports(m2)
    const r = m1.replicate(true)
    const s = m2.replicate(false)
    const outcome = pipe(r, s)
    await settled(r, s)
    assert.equal(
      outcome.errors[1].map((e) => (e as { code?: string }).code),
      ['TOO_MANY_FEEDS'],
    )
    assert.equal(
      reported.map((x) => x.code),
      ['TOO_MANY_FEEDS'],
    )
    assert.is(m2.feeds().length, 0)
  } finally {
    await t.run()
  }
})

test('maxFeeds counts remote feeds only, across exchanges', async () => {
  const t = teardown()
  try {
    const m2 = multifeed(t, { maxFeeds: 2 })
    await writers(m2, ['mine1', 'mine2', 'mine3'])
    const m1 = multifeed(t)
    await writers(m1, ['x', 'y'])
    await pipe(m1.replicate(true), m2.replicate(false)).done
    assert.is(m2.feeds().length, 5, 'three local feeds and two remote ones')
    const m3 = multifeed(t)
    await writers(m3, ['z'])
    const r = m3.replicate(true)
    const s = m2.replicate(false)
    const outcome = pipe(r, s)
    await settled(r, s)
    assert.equal(
      outcome.errors[1].map((e) => (e as { code?: string }).code),
      ['TOO_MANY_FEEDS'],
    )
    assert.is(m2.feeds().length, 5)
  } finally {
    await t.run()
  }
})

test('the request API: offer A, B, C; a request for A, C, X is answered A, C; A and C replicate', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    const [A, B, C] = await writers(multi, ['A', 'B', 'C'])
    const X = crypto.randomBytes(32)
    const peer = await rawPeer(t, multi, { live: true })
    await peer.opened
    await eventually(() => peer.received.manifests.length === 1)
    const offered = peer.received.manifests[0].feeds
    assert.equal(
      offered.map((f) => hex(f.key)),
      [A, B, C].map((f) => hex(f.key)),
    )
    assert.equal(
      offered.map((f) => f.length),
      [1, 1, 1],
    )

    peer.sendRequest({ keys: [A.key!, C.key!, X] })
    await eventually(() => peer.received.answers.length === 1)
    assert.equal(peer.received.answers[0].keys.map(hex), [hex(A.key), hex(C.key)])

    const a = peer.store.get<Uint8Array>({ key: A.key! })
    const c = peer.store.get<Uint8Array>({ key: C.key! })
    assert.is(b4a.toString((await a.get(0, { timeout: 10_000 }))!), 'A says hi')
    assert.is(b4a.toString((await c.get(0, { timeout: 10_000 }))!), 'C says hi')
    assert.is(multi.feed(X), undefined, 'a key nobody offered is never opened')
    assert.is(multi.feeds().length, 3)
  } finally {
    await t.run()
  }
})

test('the request API, the other way: we ask for what we accept and open only what is answered', async () => {
  const t = teardown()
  try {
    const keys = [crypto.randomBytes(32), crypto.randomBytes(32), crypto.randomBytes(32)]
    const multi = multifeed(t, { accept: (key) => hex(key) !== hex(keys[2]) })
    const reported = reports(multi)
    const peer = await rawPeer(t, multi, { live: true })
    await peer.opened
    peer.sendManifest({ feeds: keys.map((key) => ({ key, length: 0 })) })
    await eventually(() => peer.received.requests.length === 1)
    assert.equal(peer.received.requests[0].keys.map(hex), [hex(keys[0]), hex(keys[1])])
    // answer one of them, plus a key that was never asked for
    const stranger = crypto.randomBytes(32)
    peer.sendAnswer({ keys: [keys[1], stranger] })
    // The sentinel: the multifeed says it is done once it has opened what that answer gave it.
    await eventually(() => peer.received.dones.length === 1)
    assert.equal(
      multi.feeds().map((f) => hex(f.key)),
      [hex(keys[1])],
    )
    assert.is(multi.feed(stranger), undefined)
    // an answer nobody asked for is the remote's mistake, reported and ignored
    peer.sendAnswer({ keys: [keys[0]] })
    await eventually(() => reported.length === 1)
    assert.is(reported[0].code, 'BAD_MESSAGE')
    assert.is(multi.feeds().length, 1)
  } finally {
    await t.run()
  }
})

test('malformed messages are BAD_MESSAGE, never a crash, and the exchange carries on', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    await writers(multi, ['w'])
    const reported = reports(multi)
    const peer = await rawPeer(t, multi, { live: true })
    await peer.opened
    const garbage = b4a.from([0xff, 0xff, 0x01, 0x02])
    peer.sendManifest(garbage)
    await eventually(() => reported.length === 1)
    // a first manifest that cannot be read counts as an empty one, so the exchange can finish
    await eventually(() => peer.received.requests.length === 1)
    assert.is(peer.received.requests[0].keys.length, 0)
    peer.sendRequest(garbage)
    await eventually(() => peer.received.answers.length === 1)
    assert.is(peer.received.answers[0].keys.length, 0)
    peer.sendAnswer(garbage)
    peer.sendDone(b4a.from([0xfd]))
    await eventually(() => reported.length === 4)
    assert.equal(
      reported.map((r) => r.code),
      Array(4).fill('BAD_MESSAGE'),
    )
    assert.ok(reported.every((r) => (r.peer as { stream?: unknown }).stream === peer.multiStream))
    assert.not.ok(peer.multiStream.destroyed, 'the connection lives on')
    // the garbage answer counted as an empty one: the multifeed finished its side of the exchange
    await eventually(() => peer.received.dones.length === 1)
    // and a well-formed request still gets its answer
    const key = multi.feeds()[0].key!
    peer.sendRequest({ keys: [key] })
    await eventually(() => peer.received.answers.length === 2)
    assert.equal(peer.received.answers[1].keys.map(hex), [hex(key)])
  } finally {
    await t.run()
  }
})

test('a malformed handshake is BAD_MESSAGE and ends only the exchange', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    await writers(multi, ['w'])
    const reported = reports(multi)
    const peer = await rawPeer(t, multi, { handshakeBytes: b4a.from([0x05, 0x41]) })
    await eventually(() => reported.length === 1)
    assert.is(reported[0].code, 'BAD_MESSAGE')
    // The sentinel: the multifeed closes the channel, and a manifest sent before that close
    // would have arrived before it.
    await eventually(() => peer.channel.closed)
    assert.is(
      peer.received.manifests.length,
      0,
      'nothing offered to a peer that did not introduce itself',
    )
    assert.not.ok(peer.multiStream.destroyed)
  } finally {
    await t.run()
  }
})

test('another major version is ERR_VERSION_MISMATCH with usVersion and themVersion, once', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    const reported = reports(multi)
    const peer = await rawPeer(t, multi, { version: '2.0.0' })
    const errors: Array<Error & Record<string, unknown>> = []
    peer.multiStream.on('error', (err: Error & Record<string, unknown>) => errors.push(err))
    await settled(peer.multiStream, peer.stream)
    assert.is(errors.length, 1)
    assert.is(errors[0].code, 'ERR_VERSION_MISMATCH')
    assert.is(errors[0].usVersion, '1.0.0')
    assert.is(errors[0].themVersion, '2.0.0')
    assert.equal(
      reported.map((r) => r.code),
      ['ERR_VERSION_MISMATCH'],
    )
    assert.is(peer.received.manifests.length, 0)
  } finally {
    await t.run()
  }
})

test('another minor version is fine: only the major must match', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    await writers(multi, ['w'])
    const peer = await rawPeer(t, multi, { version: '1.7.3' })
    await eventually(() => peer.received.manifests.length === 1)
    assert.is(peer.received.manifests[0].feeds.length, 1)
    assert.is(peer.received.handshake!.version, '1.0.0')
  } finally {
    await t.run()
  }
})

test('another client is ERR_CLIENT_MISMATCH with usClient and themClient', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    const reported = reports(multi)
    const peer = await rawPeer(t, multi, { client: 'KAPPA' })
    const errors: Array<Error & Record<string, unknown>> = []
    peer.multiStream.on('error', (err: Error & Record<string, unknown>) => errors.push(err))
    await settled(peer.multiStream, peer.stream)
    assert.is(errors.length, 1)
    assert.is(errors[0].code, 'ERR_CLIENT_MISMATCH')
    assert.is(errors[0].usClient, 'MULTIFEED')
    assert.is(errors[0].themClient, 'KAPPA')
    assert.equal(
      reported.map((r) => r.code),
      ['ERR_CLIENT_MISMATCH'],
    )
  } finally {
    await t.run()
  }
})

test('a peer that knows the discovery key but not the root key is KEY_MISMATCH and sees nothing', async () => {
  const t = teardown()
  try {
    const multi = multifeed(t)
    await writers(multi, ['secret'])
    const reported = reports(multi)
    const peer = await rawPeer(t, multi, { capabilityKey: crypto.randomBytes(32) })
    const errors: Error[] = []
    peer.multiStream.on('error', (err: Error) => errors.push(err))
    await settled(peer.multiStream, peer.stream)
    assert.equal(
      errors.map((e) => (e as { code?: string }).code),
      ['KEY_MISMATCH'],
    )
    assert.equal(
      reported.map((r) => r.code),
      ['KEY_MISMATCH'],
    )
    assert.is(peer.received.manifests.length, 0, 'no manifest reached it')
  } finally {
    await t.run()
  }
})

test.run()
