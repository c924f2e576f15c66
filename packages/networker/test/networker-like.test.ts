// The sdk's NetworkerLike compliance suite (test-utils), run on the Networker itself: on MemorySwarm
// and on Hyperswarm over a loopback testnet.
import { suite } from 'uvu'
import { Store } from '@dat-sdk/store'
import {
  MemorySwarmNetwork,
  createTestnet,
  networkerCompliance,
  type LoopbackTestnet,
} from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

const test = suite('NetworkerLike compliance: Networker')
const network = new MemorySwarmNetwork({ latency: 5 })
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await network.destroy()
  await testnet.destroy()
})

networkerCompliance('MemorySwarm', test, {
  async create(t) {
    const networker = new Networker(t.add(Store.temp()), { swarm: t.add(network.swarm()) })
    return { networker, publicKey: networker.publicKey }
  },
})

networkerCompliance('Hyperswarm on a loopback testnet', test, {
  async create(t) {
    const networker = new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap })
    return { networker, publicKey: networker.publicKey }
  },
})

test.run()
