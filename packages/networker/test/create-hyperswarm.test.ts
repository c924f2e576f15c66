// createHyperswarm(): the swarm a Networker makes for itself, and the cli hands to blind-peer.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import HyperDHT from 'hyperdht'
import { createTestnet, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createHyperswarm } from '@dat-sdk/networker'

const test = suite('createHyperswarm')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

test('dials through its DHT node with its own key pair, as blind-peering does', async () => {
  const t = teardown()
  try {
    const server = t.add(testnet.swarm())
    const remote = new Promise<Uint8Array>((resolve) => {
      server.on('connection', (conn) => {
        conn.on('error', () => {})
        resolve(conn.remotePublicKey)
      })
    })
    await server.listen()
    const keyPair = HyperDHT.keyPair()
    const client = createHyperswarm({ bootstrap: testnet.bootstrap, keyPair })
    t.add(() => client.destroy())
    assert.ok(b4a.equals(client.keyPair.publicKey, keyPair.publicKey))
    assert.ok(b4a.equals(client.dht.defaultKeyPair.publicKey, keyPair.publicKey))
    const socket = client.dht.connect(server.keyPair.publicKey)
    socket.on('error', () => {})
    t.add(() => socket.destroy())
    assert.ok(b4a.equals(await remote, keyPair.publicKey), 'the remote sees the swarm key')
  } finally {
    await t.run()
  }
})

test.run()
