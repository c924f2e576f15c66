// MemorySwarm (test-utils) must behave like Hyperswarm wherever the networker relies on it.
import { MemorySwarm, MemorySwarmNetwork, swarmCompliance } from '@dat-sdk/test-utils'
import type { SwarmLike } from '@dat-sdk/networker'

const test = swarmCompliance('MemorySwarm', () => {
  const network = new MemorySwarmNetwork()
  return {
    create: (): SwarmLike => new MemorySwarm({ network }),
    destroy: () => network.destroy(),
  }
})

test.run()
