// The dat-sdk/ready@1 link: a protomux probe per core and connection that tells ours from raw peers.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c from 'compact-encoding'
import {
  READY_PROTOCOL,
  ReadyLink,
  Store,
  encodeReady,
  type DatSdkError,
  type Hypercore,
  type HypercorePeer,
} from '@dat-sdk/store'
import { eventually, replicatePair, teardown } from '@dat-sdk/test-utils'

const test = suite('ready link')

/** A writer in `a` and a reader of it in `b`, both opened, with one block to share. */
async function shared(a: Store, b: Store): Promise<[Hypercore, Hypercore]> {
  const ca = a.get({ name: 'x' })
  await ca.ready()
  await ca.append(b4a.from('x'))
  const cb = b.get(ca.key!)
  await cb.ready()
  return [ca, cb]
}

function firstPeer(core: Hypercore): HypercorePeer {
  return core.peers[0]
}

test('between two Stores the probe opens: ours, and names announced there arrive', async () => {
  const t = teardown()
  try {
    const a = t.add(Store.temp())
    const b = t.add(Store.temp())
    const [ca, cb] = await shared(a, b)
    const streams = replicatePair(a, b)
    t.add(() => streams.close())
    await eventually(() => ca.peers.length === 1 && cb.peers.length === 1)
    const linkA = ReadyLink.of(firstPeer(ca).protomux, ca.discoveryKey!)
    assert.is(linkA.status, 'probing')
    await eventually(() => linkA.status === 'ours', { message: "B's Store accepted the probe" })
    assert.is(linkA.announced, false, 'ours, no names yet')
    // B had no one on the core: its Store accepted; the same link is found there.
    const linkB = ReadyLink.of(firstPeer(cb).protomux, cb.discoveryKey!)
    assert.is(linkB.status, 'ours')
    linkB.announce(['chat'])
    await eventually(() => linkA.announced)
    assert.equal([...linkA.names], ['chat'])
  } finally {
    await t.run()
  }
})

test('a plain Corestore rejects the probe within a round trip: raw', async () => {
  const t = teardown()
  try {
    const a = t.add(Store.temp())
    const b = t.add(Store.temp())
    const [ca] = await shared(a, b)
    const streams = replicatePair(a, b.corestore)
    t.add(() => streams.close())
    await eventually(() => ca.peers.length === 1)
    const link = ReadyLink.of(firstPeer(ca).protomux, ca.discoveryKey!)
    const seen: string[] = []
    link.listeners.add({ onready: (l) => void seen.push(l.status), onerror: () => {} })
    await eventually(() => link.status === 'raw', { timeout: 2_000 })
    assert.equal(seen, ['raw'])
    link.announce(['ignored']) // no channel left: a no-op, not a throw
  } finally {
    await t.run()
  }
})

test('a malformed announcement is BAD_MESSAGE to the listeners; the link carries on', async () => {
  const t = teardown()
  try {
    const a = t.add(Store.temp())
    const b = t.add(Store.temp())
    const [ca, cb] = await shared(a, b)
    // B replicates through its plain Corestore and speaks the protocol by hand.
    const streams = replicatePair(a, b.corestore)
    t.add(() => streams.close())
    await eventually(() => ca.peers.length === 1 && cb.peers.length === 1)
    const link = ReadyLink.of(firstPeer(ca).protomux, ca.discoveryKey!)
    const errors: DatSdkError[] = []
    link.listeners.add({ onready: () => {}, onerror: (err) => void errors.push(err) })
    await eventually(() => link.status === 'raw')
    // A later probe from the remote flips it: the remote is ours after all.
    const channel = firstPeer(cb).protomux.createChannel({
      protocol: READY_PROTOCOL,
      id: cb.discoveryKey,
    })
    assert.ok(channel)
    const message = channel.addMessage<Uint8Array>({ encoding: c.raw })
    channel.open()
    message.send(b4a.from([0, 5, 1]))
    message.send(encodeReady({ heard: true, names: ['after'] }))
    await eventually(() => link.announced)
    assert.is(link.status, 'ours')
    assert.equal(
      errors.map((e) => e.code),
      ['BAD_MESSAGE'],
    )
    assert.equal([...link.names], ['after'])
  } finally {
    await t.run()
  }
})

test.run()
