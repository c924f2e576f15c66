import type { DHTOptions } from 'hyperdht'
import createDHTTestnet, { type DHTNode } from 'hyperdht/testnet.js'
import Hyperswarm, { type HyperswarmOptions } from 'hyperswarm'

export interface LoopbackTestnet {
  /** Bootstrap addresses, all on 127.0.0.1. */
  bootstrap: Array<{ host: string; port: number }>
  /** The same as `host:port,host:port`, as `--bootstrap` and `$DAT_SDK_BOOTSTRAP` take them. */
  bootstrapList: string
  /** A DHT node bound to 127.0.0.1 on this testnet (destroyed with the testnet). */
  createNode(opts?: DHTOptions): DHTNode
  /** A Hyperswarm on a fresh DHT node of this testnet; destroyed with the testnet unless destroyed first. */
  swarm(opts?: HyperswarmOptions): Hyperswarm
  destroy(): Promise<void>
}

/**
 * A local HyperDHT testnet of `size` bootstrap nodes bound to 127.0.0.1: no traffic leaves the
 * machine. Nodes are not firewalled, so swarms in separate processes can reach each other too.
 */
export async function createTestnet(size = 3): Promise<LoopbackTestnet> {
  const testnet = await createDHTTestnet(size, { host: '127.0.0.1' })
  const swarms = new Set<Hyperswarm>()
  const createNode = (opts: DHTOptions = {}) => {
    const node = testnet.createNode({ host: '127.0.0.1', firewalled: false, ...opts })
    // hyperdht's testnet keeps every node it made in `nodes` until the testnet is destroyed, so a
    // test making and destroying a swarm per cycle would hold every departed DHT node (~25 KiB
    // each, with its UDX sockets and routing table): let a destroyed node go.
    node.once('close', () => {
      const i = testnet.nodes.indexOf(node)
      if (i !== -1) testnet.nodes.splice(i, 1)
    })
    return node
  }
  return {
    bootstrap: testnet.bootstrap,
    bootstrapList: testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(','),
    createNode,
    swarm(opts: HyperswarmOptions = {}) {
      const swarm = new Hyperswarm({ dht: createNode(), ...opts })
      swarms.add(swarm)
      // Hyperswarm emits no 'close'; destroying it destroys its DHT node last, which does.
      swarm.dht.once('close', () => swarms.delete(swarm))
      return swarm
    },
    async destroy() {
      await Promise.allSettled([...swarms].map((s) => s.destroy()))
      await testnet.destroy()
    },
  }
}
