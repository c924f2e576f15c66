import { suite } from 'uvu'
import { extensionHostCompliance } from '@dat-sdk/test-utils'
import { makeNodes, link } from './fixtures.js'

// The ExtensionHost compliance suite on the host gossip was first written for: a raw hypercore 11
// core, two Corestores holding it, replicated over an in-process stream pair.
const test = suite('ExtensionHost compliance: raw hypercore 11 core')

extensionHostCompliance('hypercore', test, {
  async create(t) {
    const [a, b] = await makeNodes(t, 2)
    let cut: (() => Promise<void>) | null = null
    return {
      a: a.core as never,
      b: b.core as never,
      connect() {
        cut = link(t, a, b)
      },
      async disconnect() {
        await cut?.()
      },
    }
  },
})

test.run()
