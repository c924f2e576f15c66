import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { dhtSettings, isLoopbackHost, parseBootstrap } from '@dat-sdk/networker'
import { createSDK } from '@dat-sdk/sdk'
import { createTestnet } from '@dat-sdk/test-utils'

const test = suite('createSDK options: bootstrap and DHT settings')

test('bootstrap nodes as objects, host:port and [v6]:port', () => {
  assert.equal(parseBootstrap(['127.0.0.1:49737', { host: 'localhost', port: 1 }, '[::1]:53']), [
    { host: '127.0.0.1', port: 49737 },
    { host: 'localhost', port: 1 },
    { host: '::1', port: 53 },
  ])
  for (const bad of ['127.0.0.1', 'host:0', 'host:70000', ':80', '']) {
    assert.throws(() => parseBootstrap([bad]), TypeError, bad)
  }
  assert.throws(() => parseBootstrap([{ host: '', port: 1 }]), TypeError)
})

test('a loopback bootstrap binds 127.0.0.1 and is not firewalled, unless told otherwise', () => {
  const loop = parseBootstrap(['127.0.0.1:1', 'localhost:2'])
  assert.equal(dhtSettings(loop, undefined, undefined), { host: '127.0.0.1', firewalled: false })
  assert.equal(dhtSettings(loop, '127.0.0.2', true), { host: '127.0.0.2', firewalled: true })
  const mixed = parseBootstrap(['127.0.0.1:1', '88.99.3.86:49737'])
  assert.equal(dhtSettings(mixed, undefined, undefined), {})
  assert.equal(dhtSettings(undefined, undefined, undefined), {})
  assert.ok(isLoopbackHost('127.3.2.1') && isLoopbackHost('::1'))
  assert.not.ok(isLoopbackHost('128.0.0.1'))
})

test('$DAT_SDK_BOOTSTRAP is the default bootstrap, and the networker binds loopback with it', async () => {
  const testnet = await createTestnet(3)
  const saved = process.env.DAT_SDK_BOOTSTRAP
  process.env.DAT_SDK_BOOTSTRAP = testnet.bootstrapList
  try {
    const sdk = await createSDK({ storage: false })
    try {
      // The DHT node's bound host and firewall flag are hyperdht internals: networker's
      // declaration of hyperdht leaves them out, so this reads them through a named shape.
      const dht = (
        sdk.networker as unknown as { swarm: { dht: { host: string; firewalled: boolean } } }
      ).swarm.dht
      await sdk.flush(sdk.Hypercore())
      assert.is(dht.host, '127.0.0.1')
      assert.is(dht.firewalled, false)
    } finally {
      await sdk.close()
    }
  } finally {
    if (saved === undefined) delete process.env.DAT_SDK_BOOTSTRAP
    else process.env.DAT_SDK_BOOTSTRAP = saved
    await testnet.destroy()
  }
})

test.run()
