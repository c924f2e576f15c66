// SDKs for a test: temporary storage, the test's loopback testnet, closed by its teardown.
import { createSDK, type SDK } from '@dat-sdk/sdk'
import type { LoopbackTestnet, Teardown } from '@dat-sdk/test-utils'

/** One SDK on `testnet`, with storage in a temporary directory; `t` closes it. */
export async function sdkOn(t: Teardown, testnet: LoopbackTestnet): Promise<SDK> {
  return t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap }))
}

/** Two of them, to replicate between. */
export async function sdkPair(t: Teardown, testnet: LoopbackTestnet): Promise<[SDK, SDK]> {
  return [await sdkOn(t, testnet), await sdkOn(t, testnet)]
}
