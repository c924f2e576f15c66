import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { Store } from '@dat-sdk/store'
import { createSDK, type SDK } from '@dat-sdk/sdk'
import { eventually, teardown, type Teardown } from '@dat-sdk/test-utils'
import { TcpDirectory, TcpNetworker } from './helpers/tcp-networker.js'

const test = suite('the networking seam: a TCP networker written here, through opts.networker')

async function tcpPair(t: Teardown): Promise<{ a: SDK; b: SDK; made: TcpNetworker[] }> {
  const directory = new TcpDirectory()
  const made: TcpNetworker[] = []
  const networker = (store: Store) => {
    const n = new TcpNetworker(store, directory)
    made.push(n)
    return n
  }
  const a = t.add(await createSDK({ storage: false, networker }))
  const b = t.add(await createSDK({ storage: false, networker }))
  return { a, b, made }
}

test('opts.networker: the SDK calls the factory with its own store and uses what it returns', async () => {
  const t = teardown()
  try {
    const { a, b, made } = await tcpPair(t)
    assert.is(made.length, 2)
    assert.is(a.networker, made[0])
    assert.is(made[0].store, a.store)
    assert.is(b.networker, made[1])
  } finally {
    await t.run()
  }
})

test('two SDKs over plain TCP on loopback share a core and a drive', async () => {
  const t = teardown()
  try {
    const { a, b } = await tcpPair(t)
    const core = a.Hypercore<string>('over-tcp', { valueEncoding: 'utf-8' })
    await core.append(['one', 'two'])
    await a.flush(core)
    const copy = b.Hypercore<string>(core.key, { valueEncoding: 'utf-8' })
    await copy.ready()
    assert.is(copy.length, 2)
    assert.is(await copy.get(1), 'two')
    const peer = copy.peers()[0]
    assert.match(peer.remoteAddress ?? '127.0.0.1', /127\.0\.0\.1/)

    const drive = a.Hyperdrive()
    await drive.put('/file.txt', 'sent over tcp')
    await a.flush(drive)
    const driveCopy = b.Hyperdrive(drive.key)
    await driveCopy.ready()
    assert.is(b4a.toString((await driveCopy.get('/file.txt'))!), 'sent over tcp')
  } finally {
    await t.run()
  }
})

test('gossip and a multifeed run over the TCP networker too', async () => {
  const t = teardown()
  try {
    const { a, b } = await tcpPair(t)
    const ma = a.Multifeed<string>('tcp-chat', { valueEncoding: 'utf-8' })
    await (await ma.writer()).append('from a')
    await a.flush(ma)
    const mb = b.Multifeed<string>('tcp-chat', { valueEncoding: 'utf-8' })
    await (await mb.writer()).append('from b')
    await eventually(() => ma.feeds().length === 2 && mb.feeds().length === 2, { timeout: 20_000 })

    const ga = a.Gossip()
    const gb = b.Gossip()
    const key = crypto.randomBytes(32)
    gb.advertise(key)
    await eventually(() => ga.has(key), { timeout: 20_000 })
  } finally {
    await t.run()
  }
})

test('close() closes the networker the factory made', async () => {
  const t = teardown()
  try {
    const { a, made } = await tcpPair(t)
    await a.close()
    let closed = false
    try {
      await made[0].configure(crypto.randomBytes(32))
    } catch (err) {
      closed = (err as { code?: string }).code === 'CLOSED'
    }
    assert.ok(closed, 'the SDK closed its networker')
  } finally {
    await t.run()
  }
})

test.run()
