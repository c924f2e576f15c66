// The NetworkerLike compliance suite (test-utils) on the Networker over MemorySwarm.
import { Store } from '@dat-sdk/store'
import { MemorySwarmNetwork, networkerCompliance } from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const network = new MemorySwarmNetwork({ latency: 5 })
const test = networkerCompliance({
  name: 'Networker on MemorySwarm',
  setup: (t) => new Networker(t.add(Store.temp()), { swarm: t.add(network.swarm()) }),
  publicKey: (networker) => networker.publicKey,
})
test.after(() => network.destroy())

test.run()
