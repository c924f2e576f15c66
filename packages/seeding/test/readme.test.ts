// The README's usage example runs as written, against a blind peer in its own process.
import path from 'node:path'
import { suite } from 'uvu'
import { checkReadmeExample, createTestnet, startBlindPeer, teardown } from '@dat-sdk/test-utils'

const test = suite('README')
const dir = path.resolve(import.meta.dirname, '..')

test('the usage example prints what its comments say', async () => {
  const t = teardown()
  try {
    const testnet = t.add(await createTestnet(3))
    const blindPeer = t.add(
      await startBlindPeer({ bootstrap: testnet.bootstrap, storage: t.tmpDir('bp') }),
    )
    const env = { DAT_SDK_BOOTSTRAP: testnet.bootstrapList, BLIND_PEER: blindPeer.z32 }
    await checkReadmeExample(dir, { env })
  } finally {
    await t.run()
  }
})

test.run()
