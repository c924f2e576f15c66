import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { Store, type DatSdkError } from '@dat-sdk/store'
import {
  assertRejectsCode,
  createTestnet,
  eventually,
  replicatePair,
  teardown,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Bee, type Peer } from '@dat-sdk/bee-wrapper'

const test = suite('Bee between peers')

/** A raw corestore in a directory of the teardown. */
function rawStore(t: Teardown): Corestore {
  return t.add(new Corestore(t.tmpDir('raw-bee')))
}

test('a bee written with raw hyperbee is read through Bee on another peer', async () => {
  const t = teardown()
  try {
    const corestore = rawStore(t)
    const raw = new Hyperbee<string, { n: number }>(corestore.get({ name: 'raw' }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'json',
    })
    t.add(raw)
    await raw.put('a', { n: 1 })
    await raw.sub('s').put('inner', { n: 2 })
    await raw.put('b', { n: 3 })

    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, { n: number }>(store, raw.key, {
        keyEncoding: 'utf-8',
        valueEncoding: 'json',
      }),
    )
    await bee.ready()
    assert.not.ok(bee.writable)
    t.add(replicatePair(corestore, store))
    await bee.update({ wait: true })
    assert.is(bee.version, raw.version)
    assert.equal(await bee.get('a'), { seq: 1, key: 'a', value: { n: 1 } })
    assert.is((await bee.sub('s').get('inner'))?.value.n, 2)
    const keys: string[] = []
    for await (const e of bee.createReadStream({ gte: 'a', lte: 'b' })) keys.push(e.key)
    assert.equal(keys, ['a', 'b'])
    // A live write on the raw side reaches the watcher of the Bee.
    const watcher = bee.watch({ gte: 'c', lt: 'd' })
    await watcher.ready()
    const next = watcher.next()
    await raw.put('c', { n: 4 })
    const { value } = await next
    assert.is((await value![0].get('c'))?.value.n, 4)
    await watcher.close()
  } finally {
    await t.run()
  }
})

test('a bee written through Bee is read with raw hyperbee on another peer', async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, 'shared', { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    await bee.put('hello', 'world')
    await bee.sub('docs').put('readme', '# hi')
    await bee.del('nothing')

    const corestore = rawStore(t)
    const raw = t.add(
      new Hyperbee<string, string>(corestore.get({ key: bee.key! }), {
        keyEncoding: 'utf-8',
        valueEncoding: 'utf-8',
      }),
    )
    await raw.ready()
    t.add(replicatePair(store, corestore))
    await raw.update({ wait: true })
    assert.is((await raw.get('hello'))?.value, 'world')
    assert.is((await raw.sub('docs').get('readme'))?.value, '# hi')
    assert.ok(await Hyperbee.isHyperbee(raw.core), 'the header says hyperbee')
    const header = await raw.getHeader()
    assert.is(header?.protocol, 'hyperbee')
  } finally {
    await t.run()
  }
})

test("a peer's range request in bytes to a utf-8 bee is answered, never thrown (it crashed the process)", async () => {
  const t = teardown()
  try {
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, string>(store, 'words', { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }),
    )
    for (const w of ['apple', 'banana', 'cherry']) await bee.put(w, w.toUpperCase())

    // A raw hyperbee reader with binary keys: its range iterator asks the writer through
    // hyperbee's extension with the bounds as bytes, which the writer encodes with its utf-8 codec.
    const corestore = rawStore(t)
    const raw = t.add(new Hyperbee<Uint8Array, Uint8Array>(corestore.get({ key: bee.key! })))
    await raw.ready()
    t.add(replicatePair(store, corestore))
    await raw.update({ wait: true })
    const keys: string[] = []
    for await (const entry of raw.createReadStream({ gte: Buffer.from('b') })) {
      keys.push(Buffer.from(entry.key).toString())
    }
    assert.equal(keys, ['banana', 'cherry'])
    assert.is((await bee.get('apple'))?.value, 'APPLE', 'the writer lives on')
  } finally {
    await t.run()
  }
})

test('bytes that do not decode reject the read with BAD_MESSAGE, and the bee lives on', async () => {
  const t = teardown()
  try {
    const corestore = rawStore(t)
    const raw = t.add(new Hyperbee(corestore.get({ name: 'bad' })))
    await raw.put(Buffer.from('bad'), Buffer.from('{not json'))
    await raw.put(Buffer.from('good'), Buffer.from('{"ok":true}'))
    const store = t.add(Store.temp())
    const bee = t.add(
      new Bee<string, { ok: boolean }>(store, raw.key, {
        keyEncoding: 'utf-8',
        valueEncoding: 'json',
      }),
    )
    await bee.ready()
    t.add(replicatePair(corestore, store))
    await bee.update({ wait: true })
    await assertRejectsCode(bee.get('bad'), 'BAD_MESSAGE')
    assert.equal((await bee.get('good'))?.value, { ok: true })
  } finally {
    await t.run()
  }
})

test('peers and extension messages on a Bee, over a loopback testnet', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const a = t.add(
      new Bee<string, string>(storeA, null, {
        keyEncoding: 'utf-8',
        valueEncoding: 'utf-8',
        extensions: ['chat'],
      }),
    )
    await a.put('k', 'v')
    const b = t.add(
      new Bee<string, string>(storeB, a.key, {
        keyEncoding: 'utf-8',
        valueEncoding: 'utf-8',
        extensions: ['chat'],
      }),
    )
    await b.ready()

    const heard: string[] = []
    b.on('extension', (name, message, peer) => {
      heard.push(`${name}:${Buffer.from(message).toString()}`)
      peer.extension('chat', 'pong')
    })
    const replies: string[] = []
    a.on('extension', (_name, message) => replies.push(Buffer.from(message).toString()))
    a.on('peer-add', (peer) => peer.extension('chat', 'first'))
    const typed: Array<{ n: number }> = []
    const errors: DatSdkError[] = []
    b.registerExtension<{ n: number }>('typed', {
      encoding: 'json',
      onmessage: (m) => void typed.push(m),
      onerror: (err) => void errors.push(err),
    })
    const extErrors: string[] = []
    b.on('extension-error', (err) => extErrors.push(err.code))
    const sendTyped = a.registerExtension<Uint8Array>('typed')

    const swarmA = testnet.swarm()
    const swarmB = testnet.swarm()
    swarmA.on('connection', (conn) => storeA.replicate(conn))
    swarmB.on('connection', (conn) => storeB.replicate(conn))
    await swarmA.join(a.discoveryKey!, { server: true, client: false }).flushed()
    const done = b.hyperbee.core.findingPeers()
    swarmB.join(b.discoveryKey!, { server: false, client: true })
    swarmB.flush().then(done, done)

    await eventually(() => a.peers().length === 1 && b.peers().length === 1, { timeout: 20_000 })
    await b.update({ wait: true })
    assert.is((await b.get('k'))?.value, 'v')
    const peer: Peer = a.peers()[0]
    assert.is(peer.id.length, 64)
    assert.ok(peer.remoteAddress?.startsWith('127.0.0.1'), 'traffic stays on loopback')
    await eventually(() => heard.includes('chat:first'), { timeout: 10_000 })
    await eventually(() => replies.includes('pong'))

    sendTyped.broadcast(Buffer.from('{broken'))
    sendTyped.broadcast(Buffer.from('{"n":5}'))
    await eventually(() => typed.length === 1)
    assert.equal(typed, [{ n: 5 }])
    assert.equal(
      errors.map((e) => e.code),
      ['BAD_MESSAGE'],
    )
    assert.equal(extErrors, ['BAD_MESSAGE'])

    // A sub shares its bee's peers and extensions.
    assert.is(b.sub('x').peers().length, 1)
    await a.put('later', 'yes')
    await eventually(async () => (await b.get('later'))?.value === 'yes', { timeout: 10_000 })
  } finally {
    await t.run()
  }
})

test.run()
