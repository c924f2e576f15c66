import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store, type DatSdkError } from '@dat-sdk/store'
import {
  teardown,
  createTestnet,
  eventually,
  replicatePair,
  type Teardown,
} from '@dat-sdk/test-utils'
import { Drive, type Peer } from '@dat-sdk/drive-wrapper'

const test = suite('Drive peers and extensions')

/** A writer drive and a reader of it, each in its own store; not connected yet. */
async function drivePair(t: Teardown, extensions: string[] = []) {
  const storeA = t.add(Store.temp())
  const storeB = t.add(Store.temp())
  const a = t.add(new Drive(storeA, null, { extensions }))
  await a.ready()
  await a.put('/hello.txt', 'hello')
  const b = t.add(new Drive(storeB, a.key, { extensions }))
  await b.ready()
  return { storeA, storeB, a, b }
}

test('two drives on a loopback testnet see each other as peers and exchange extension messages', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const { storeA, storeB, a, b } = await drivePair(t, ['chat'])

    const heard: Array<[string, string, Peer]> = []
    b.on('extension', (name, message, peer) => {
      heard.push([name, Buffer.from(message).toString(), peer])
      peer.extension('chat', 'pong')
    })
    const replies: string[] = []
    a.on('extension', (_name, message) => replies.push(Buffer.from(message).toString()))
    // A message sent from 'peer-add' reaches that peer.
    a.on('peer-add', (peer) => peer.extension('chat', 'first'))

    const swarmA = testnet.swarm()
    const swarmB = testnet.swarm()
    swarmA.on('connection', (conn) => storeA.replicate(conn))
    swarmB.on('connection', (conn) => storeB.replicate(conn))
    await swarmA.join(a.discoveryKey!, { server: true, client: false }).flushed()
    const done = b.hyperdrive.findingPeers()
    swarmB.join(b.discoveryKey!, { server: false, client: true })
    swarmB.flush().then(done, done)

    await eventually(() => a.peers().length === 1 && b.peers().length === 1, { timeout: 20_000 })
    const peerOfA = a.peers()[0]
    assert.is(peerOfA.id.length, 64)
    assert.ok(peerOfA.remoteAddress?.startsWith('127.0.0.1'), 'traffic stays on loopback')
    await b.update({ wait: true })
    assert.is(await b.readFile('/hello.txt', 'utf-8'), 'hello')

    await eventually(() => heard.some(([, m]) => m === 'first'), { timeout: 10_000 })
    a.extension('chat', 'broadcast')
    await eventually(() => heard.some(([, m]) => m === 'broadcast'), { timeout: 10_000 })
    assert.ok(heard.every(([name]) => name === 'chat'))
    await eventually(() => replies.filter((r) => r === 'pong').length >= 2, { timeout: 10_000 })

    // A checkout shares its drive's peers.
    const old = t.add(b.checkout(b.version))
    assert.is(old.peers().length, 1)

    const removed: Peer[] = []
    a.on('peer-remove', (p) => removed.push(p))
    await swarmB.destroy()
    await eventually(() => removed.length === 1 && a.peers().length === 0, { timeout: 20_000 })
  } finally {
    await t.run()
  }
})

test('registerExtension with an encoding; a payload that does not decode is BAD_MESSAGE and the connection lives on', async () => {
  const t = teardown()
  try {
    const { storeA, storeB, a, b } = await drivePair(t)
    const got: unknown[] = []
    const errors: DatSdkError[] = []
    const viaEvent: string[] = []
    b.registerExtension<{ n: number }>('data', {
      encoding: 'json',
      onmessage: (message) => {
        got.push(message)
      },
      onerror: (err) => {
        errors.push(err)
      },
    })
    b.on('extension-error', (err) => viaEvent.push(err.code))
    const json = a.registerExtension<{ n: number }>('data', { encoding: 'json' })

    const pair = replicatePair(storeA, storeB)
    t.add(() => pair.close())
    await eventually(() => a.peers().length === 1 && b.peers().length === 1, { timeout: 10_000 })

    json.broadcast({ n: 1 })
    await eventually(() => got.length === 1)
    assert.equal(got[0], { n: 1 })

    // A second writer of the same name on another Drive over the same hyperdrive sends raw bytes.
    const raw = t.add(new Drive(a.hyperdrive))
    await raw.ready()
    const bytes = raw.registerExtension<Uint8Array>('data', { encoding: 'binary' })
    await eventually(() => raw.peers().length === 1)
    bytes.send(Buffer.from('{ not json'), raw.peers()[0])
    await eventually(() => errors.length === 1 && viaEvent.length === 1, { timeout: 10_000 })
    assert.is(errors[0].code, 'BAD_MESSAGE')
    assert.is(viaEvent[0], 'BAD_MESSAGE')

    // The connection is still up: a good message still arrives, and files still replicate.
    json.broadcast({ n: 2 })
    await eventually(() => got.length === 2)
    assert.equal(got[1], { n: 2 })
    await a.put('/after.txt', 'still here')
    await eventually(
      async () => {
        await b.update()
        return (await b.readFile('/after.txt', 'utf-8')) === 'still here'
      },
      { timeout: 10_000 },
    )
  } finally {
    await t.run()
  }
})

test('extension() on a name that was not registered is a TypeError; a closed drive is CLOSED', async () => {
  const t = teardown()
  try {
    const drive = new Drive(t.add(Store.temp()), null, { extensions: ['known'] })
    await drive.ready()
    drive.extension('known', 'nobody listens yet')
    assert.throws(() => drive.extension('unknown', 'x'), TypeError)
    await drive.close()
    let code = ''
    try {
      drive.registerExtension('late')
    } catch (err) {
      code = (err as { code: string }).code
    }
    assert.is(code, 'CLOSED')
  } finally {
    await t.run()
  }
})

test.run()
