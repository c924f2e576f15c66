// Hyperswarm on a loopback testnet passes the same suite as MemorySwarm: the SwarmLike seam holds.
import { createTestnet, swarmCompliance } from '@dat-sdk/test-utils'
import type { SwarmLike } from '@dat-sdk/networker'

const test = swarmCompliance('Hyperswarm on a loopback testnet', async () => {
  const testnet = await createTestnet(3)
  return {
    create: () => testnet.swarm() as unknown as SwarmLike,
    destroy: () => testnet.destroy(),
  }
})

test.run()
