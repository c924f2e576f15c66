import { suite } from 'uvu'
import { extensionHostCompliance } from '@dat-sdk/test-utils'
import { Core } from '@dat-sdk/core-wrapper'
import { makeNodes, link } from './fixtures.js'

// The ExtensionHost compliance suite on `Core` from @dat-sdk/core-wrapper, over two Corestores
// holding the same core, replicated over an in-process stream pair.
const test = suite('ExtensionHost compliance: Core')

extensionHostCompliance('Core', test, {
  async create(t) {
    const [a, b] = await makeNodes(t, 2)
    const ca = t.add(new Core(a.core as never, { closeHypercore: false }))
    const cb = t.add(new Core(b.core as never, { closeHypercore: false }))
    await Promise.all([ca.ready(), cb.ready()])
    let cut: (() => Promise<void>) | null = null
    return {
      a: ca as never,
      b: cb as never,
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
