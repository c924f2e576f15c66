import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkReadmeExample, createTestnet, startBlindPeer, teardown } from '@dat-sdk/test-utils'

const test = suite("The repository README's example runs as written")

const sdkDir = path.resolve(import.meta.dirname, '..')
const readme = path.resolve(sdkDir, '../../README.md')

test('it prints what its comments say, with the same key on a second run', async () => {
  const t = teardown()
  try {
    const testnet = t.add(await createTestnet(3))
    const env = {
      // The snippet keeps createSDK()'s defaults: storage and network come from the environment,
      // as a user's would; here a scratch folder and the loopback testnet.
      DAT_SDK_BOOTSTRAP: testnet.bootstrapList,
      DAT_SDK_STORAGE: t.tmpDir('root-readme-storage'),
      XDG_DATA_HOME: t.tmpDir('root-readme-xdg'),
    }
    const first = await checkReadmeExample(sdkDir, { readme, env })
    const second = await checkReadmeExample(sdkDir, { readme, env })
    assert.is(second[0], first[0], "'my-log' has the same key every run")
    assert.ok(fs.readdirSync(env.DAT_SDK_STORAGE).length > 0, 'it stored into $DAT_SDK_STORAGE')
    assert.equal(fs.readdirSync(env.XDG_DATA_HOME), [], 'and nothing into the OS data folder')
  } finally {
    await t.run()
  }
})

test('"Watching transfers": a drive downloads, and the counts agree on both sides', async () => {
  const t = teardown()
  try {
    const testnet = t.add(await createTestnet(3))
    const env = { DAT_SDK_BOOTSTRAP: testnet.bootstrapList }
    const lines = await checkReadmeExample(sdkDir, { readme, env, index: 2 })
    assert.is(lines.length, 3)
  } finally {
    await t.run()
  }
})

test('"Keeping data online": a drive backed up by a blind peer is read after its author closed', async () => {
  const t = teardown()
  try {
    const testnet = t.add(await createTestnet(3))
    const blindPeer = t.add(
      await startBlindPeer({ bootstrap: testnet.bootstrap, storage: t.tmpDir('bp') }),
    )
    const env = { DAT_SDK_BOOTSTRAP: testnet.bootstrapList, BLIND_PEER: blindPeer.z32 }
    const lines = await checkReadmeExample(sdkDir, { readme, env, index: 1 })
    assert.equal(lines, ['true drive', 'meow'])
  } finally {
    await t.run()
  }
})

test.run()
