import { Store } from '@dat-sdk/store'
import { extensionHostCompliance, replicatePair } from '@dat-sdk/test-utils'
import { Drive, type Peer } from '@dat-sdk/drive-wrapper'

// Drive implements the ExtensionHost seam (extensions on the drive's db core): the shared
// compliance suite, over two stores holding one drive, replicated over an in-process stream pair.
const test = extensionHostCompliance<Peer>({
  name: 'Drive',
  async setup(t) {
    const storeA = t.add(Store.temp())
    const storeB = t.add(Store.temp())
    const a = t.add(new Drive(storeA))
    await a.ready()
    const b = t.add(new Drive(storeB, a.key))
    await b.ready()
    let cut: (() => Promise<void>) | null = null
    return {
      a,
      b,
      connect() {
        const pair = replicatePair(storeA, storeB)
        // Memoised: a second close() of streamx streams waits for a 'close' already gone.
        let closing: Promise<void> | null = null
        const close = () => (closing ??= pair.close())
        cut = t.add(close)
      },
      async disconnect() {
        await cut?.()
      },
    }
  },
})

test.run()
