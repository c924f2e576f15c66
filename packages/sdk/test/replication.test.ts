import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { fileArrives } from './helpers/drives.js'
import { sdkPair } from './helpers/sdks.js'

const test = suite('two SDKs on a loopback testnet')

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('a core: the reader ready() waits for the lookup, so get(0) just works', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const writer = a.Hypercore<string>('shared', { valueEncoding: 'utf-8' })
    await writer.append(['one', 'two'])
    await a.flush(writer)
    const reader = b.Hypercore<string>(writer.url, { valueEncoding: 'utf-8' })
    await reader.ready()
    assert.not.ok(reader.writable)
    assert.is(reader.length, 2, 'the length is known once ready')
    assert.is(await reader.get(0), 'one')
    await writer.append('three')
    assert.is(await reader.get(2), 'three')
    await eventually(() => reader.peers().length === 1)
  } finally {
    await t.run()
  }
})

test('a drive: a file written on one is read on the other', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const drive = a.Hyperdrive()
    await drive.ready()
    await drive.put('/docs/readme.md', '# hello')
    await a.flush()
    const copy = b.Hyperdrive(drive.key)
    await copy.ready()
    assert.not.ok(copy.writable)
    assert.is(b4a.toString((await copy.get('/docs/readme.md'))!), '# hello')
    await drive.put('/later.txt', 'later')
    await fileArrives(copy, '/later.txt', 'later')
  } finally {
    await t.run()
  }
})

test('a gossip set over the networker, with no shared core', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const ga = a.Gossip()
    const gb = new b.Gossip()
    // Bring the two networkers together on some topic; gossip then runs on the connection.
    const topic = a.Hypercore()
    await a.flush(topic)
    const key1 = crypto.randomBytes(32)
    const key2 = crypto.randomBytes(32)
    ga.advertise(key1)
    gb.advertise(key2)
    await b.Hypercore(topic.key).ready()
    await eventually(() => ga.list().length === 2 && gb.list().length === 2, { timeout: 20_000 })
    assert.ok(gb.has(key1) && ga.has(key2))
  } finally {
    await t.run()
  }
})

test('a gossip set on a shared core', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const core = a.Hypercore()
    await a.flush(core)
    const remote = b.Hypercore(core.key)
    await remote.ready()
    const ga = a.Gossip(core)
    const gb = b.Gossip(remote)
    const key = crypto.randomBytes(32)
    ga.advertise(key)
    await eventually(() => gb.has(key), { timeout: 20_000 })
  } finally {
    await t.run()
  }
})

test('a multifeed joined to the network: each side gets the other side writer and data', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const ma = a.Multifeed<{ from: string }>('chat', { valueEncoding: 'json' })
    await a.flush(ma)
    const mb = new b.Multifeed<{ from: string }>('chat', { valueEncoding: 'json' })
    assert.is(a.Multifeed('chat'), ma, 'same name, same multifeed')
    const wa = await ma.writer('local')
    const wb = await mb.writer('local')
    await wa.append({ from: 'a' })
    await wb.append({ from: 'b' })
    await eventually(() => ma.feeds().length === 2 && mb.feeds().length === 2, { timeout: 30_000 })
    const fromA = mb.feed(wa.key!)!
    await eventually(() => fromA.length === 1, { timeout: 20_000 })
    assert.equal(await fromA.get(0), { from: 'a' })
  } finally {
    await t.run()
  }
})

test('extensions named in opts work as in the seed: extension(), the event and peer.extension()', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const core = a.Hypercore(null, { extensions: ['foobar'] })
    await a.flush(core)
    const replies: string[] = []
    core.on('extension', (name, message) => {
      if (name === 'foobar') replies.push(b4a.toString(message))
    })
    const remote = new b.Hypercore(core.key, { extensions: ['foobar'] })
    remote.on('extension', (name, message, peer) => {
      if (name === 'foobar' && b4a.toString(message) === 'ping') peer.extension('foobar', 'pong')
    })
    await remote.ready()
    await eventually(() => core.peers().length === 1)
    core.extension('foobar', 'ping')
    await eventually(() => replies.length === 1, { timeout: 20_000 })
    assert.is(replies[0], 'pong')
  } finally {
    await t.run()
  }
})

test('a gossip set on a shared drive', async () => {
  const t = teardown()
  try {
    const [a, b] = await sdkPair(t, testnet)
    const drive = a.Hyperdrive()
    await a.flush(drive)
    const remote = b.Hyperdrive(drive.key)
    await remote.ready()
    const ga = a.Gossip(drive)
    const gb = b.Gossip(remote)
    const key = crypto.randomBytes(32)
    gb.advertise(key)
    await eventually(() => ga.has(key), { timeout: 20_000 })
  } finally {
    await t.run()
  }
})

test.run()
