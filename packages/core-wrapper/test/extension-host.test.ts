import { suite } from 'uvu'
import { extensionHostCompliance } from '@dat-sdk/test-utils'
import { corePair, connectPair } from './helpers.js'

// Core implements gossip's ExtensionHost seam: the shared compliance suite, over two stores
// holding the same core, replicated over an in-process stream pair.
const test = suite('ExtensionHost compliance: Core')

extensionHostCompliance('Core', test, {
  async create(t) {
    const pair = await corePair(t, { blocks: ['x'] })
    let cut: (() => Promise<void>) | null = null
    return {
      a: pair.a as never,
      b: pair.b as never,
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
