import { suite } from 'uvu'
import { randomBytes } from 'node:crypto'
import { createTestnet, extensionHostCompliance, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { makeNetworkers } from './fixtures.js'

// The ExtensionHost compliance suite on `Networker` from @dat-sdk/networker: two networkers on a
// loopback testnet, with no core in common (connection-level extensions).
const test = suite('ExtensionHost compliance: Networker')
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

extensionHostCompliance('Networker', test, {
  async create(t) {
    const [a, b] = await makeNetworkers(t, testnet, 2)
    const topic = randomBytes(32)
    return {
      a: a as never,
      b: b as never,
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

test.run()
