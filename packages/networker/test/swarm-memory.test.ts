// MemorySwarm (test-utils) must behave like Hyperswarm wherever the networker relies on it.
import { MemorySwarm, MemorySwarmNetwork, swarmCompliance } from '@dat-sdk/test-utils'

const network = new MemorySwarmNetwork()
const test = swarmCompliance({ name: 'MemorySwarm', setup: () => new MemorySwarm({ network }) })
test.after(() => network.destroy())

test.run()
