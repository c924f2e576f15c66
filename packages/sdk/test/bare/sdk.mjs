// @dat-sdk/sdk under Bare: two SDKs on the loopback testnet (argv's first argument) open, replicate
// a core by URL, and close.
import { createSDK } from '@dat-sdk/sdk'

const bootstrap = [Bare.argv[2]]
const alice = await createSDK({ storage: false, bootstrap })
const bob = await createSDK({ storage: false, bootstrap })
try {
  const log = alice.Hypercore('my-log', { valueEncoding: 'utf-8' })
  await log.append(['hello', 'world'])
  await alice.flush(log)
  const copy = bob.Hypercore(log.url, { valueEncoding: 'utf-8' })
  await copy.ready()
  const second = await copy.get(1)
  console.log(`ok sdk ${copy.length} ${second}`)
} finally {
  await alice.close()
  await bob.close()
}
