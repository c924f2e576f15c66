import { extensionHostCompliance } from '@dat-sdk/test-utils'
import { makeNodes, link, type RawPeer } from './fixtures.js'

// The ExtensionHost compliance suite on the host gossip was first written for, and still accepts:
// a raw hypercore 11 core, two Corestores holding it, replicated over an in-process stream pair.
// It runs here because hypercore is not ours: gossip is the package that relies on it as a host.
const test = extensionHostCompliance<RawPeer>({
  name: 'raw hypercore 11 core',
  async setup(t) {
    const [a, b] = await makeNodes(t, 2)
    let cut: (() => Promise<void>) | null = null
    return {
      a: a.core,
      b: b.core,
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
