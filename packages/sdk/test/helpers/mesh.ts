// SDKs side by side on one loopback testnet, shared by packages/sdk/test/load.test.ts (8) and
// bench/load.bench.ts (32): each SDK gets its own Networker, kept so the caller can count its
// connections.
import b4a from 'b4a'
import { createSDK, type SDK } from '@dat-sdk/sdk'
import { Networker } from '@dat-sdk/networker'
import type { LoopbackTestnet } from '@dat-sdk/test-utils'

export interface Mesh {
  sdks: SDK[]
  /** The Networker of `sdks[i]` at index `i`. */
  nets: Networker[]
}

/**
 * Makes `n` SDKs with fresh temporary storage, pushing each into `mesh` as it is made, so that a
 * caller closing `mesh.sdks` also closes the ones made before a failure.
 */
export async function addSDKs(
  mesh: Mesh,
  testnet: Pick<LoopbackTestnet, 'bootstrap'>,
  n: number,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const sdk = await createSDK({
      storage: false,
      networker: (store) => {
        const net = new Networker(store, { bootstrap: testnet.bootstrap })
        mesh.nets.push(net)
        return net
      },
    })
    mesh.sdks.push(sdk)
  }
}

/** The indexes of the networkers holding two connections to one remote key (none, if deduplicated). */
export function duplicatedConnections(nets: Networker[]): number[] {
  return nets.flatMap((net, i) => {
    const keys = net.peers.map((p) => b4a.toString(p.remotePublicKey, 'hex'))
    return new Set(keys).size === keys.length ? [] : [i]
  })
}
