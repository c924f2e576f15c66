// Hyperswarm on a loopback testnet passes the same suite as MemorySwarm: the SwarmLike seam holds.
import { createTestnet, swarmCompliance, type LoopbackTestnet } from '@dat-sdk/test-utils'

let testnet: LoopbackTestnet
const test = swarmCompliance({
  name: 'Hyperswarm on a loopback testnet',
  setup: () => testnet.swarm(),
})
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(() => testnet.destroy())

test.run()
