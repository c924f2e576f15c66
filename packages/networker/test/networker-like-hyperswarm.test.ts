// The NetworkerLike compliance suite (test-utils) on the Networker over Hyperswarm on a loopback
// testnet: the default networker of the SDK.
import { Store } from '@dat-sdk/store'
import { createTestnet, networkerCompliance, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Networker } from '@dat-sdk/networker'

let testnet: LoopbackTestnet
const test = networkerCompliance({
  name: 'Networker on Hyperswarm on a loopback testnet',
  setup: (t) => new Networker(t.add(Store.temp()), { bootstrap: testnet.bootstrap }),
  publicKey: (networker) => networker.publicKey,
})
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(() => testnet.destroy())

test.run()
