// The ExtensionHost compliance suite (test-utils) on the Networker: two networkers on a loopback
// testnet, with no core in common (connection-level extensions). Gossip runs on such a host.
import { randomBytes } from 'node:crypto'
import { Store } from '@dat-sdk/store'
import { createTestnet, extensionHostCompliance, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Networker, type NetworkPeer } from '@dat-sdk/networker'

let testnet: LoopbackTestnet
const test = extensionHostCompliance<NetworkPeer>({
  name: 'Networker',
  setup(t) {
    const a = t.add(new Networker(t.add(Store.temp()), { swarm: t.add(testnet.swarm()) }))
    const b = t.add(new Networker(t.add(Store.temp()), { swarm: t.add(testnet.swarm()) }))
    const topic = randomBytes(32)
    return {
      a,
      b,
      async connect() {
        await a.configure(topic)
        await b.configure(topic)
      },
      async disconnect() {
        // Leaving the topic keeps connections; closing one side ends them.
        await b.close()
      },
    }
  },
})
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(() => testnet.destroy())

test.run()
