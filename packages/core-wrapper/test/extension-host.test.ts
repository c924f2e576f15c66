import { extensionHostCompliance } from '@dat-sdk/test-utils'
import type { Peer } from '@dat-sdk/core-wrapper'
import { corePair, connectPair } from './helpers.js'

// Core implements the ExtensionHost seam: the shared compliance suite, over two stores holding
// the same core, replicated over an in-process stream pair.
const test = extensionHostCompliance<Peer>({
  name: 'Core',
  async setup(t) {
    const pair = await corePair(t, { blocks: ['x'] })
    let cut: (() => Promise<void>) | null = null
    return {
      a: pair.a,
      b: pair.b,
      connect() {
        cut = connectPair(t, pair)
      },
      async disconnect() {
        await cut?.()
      },
    }
  },
})

test.run()
