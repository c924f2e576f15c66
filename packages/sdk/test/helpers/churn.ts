// The churn soak, shared by packages/sdk/test/churn.test.ts (100 cycles) and bench/churn.bench.ts
// (1,000): one SDK stays up while a fresh peer (its own store and Hyperswarm, on the same loopback
// testnet) connects, opens the SDK's core, a core extension, a connection extension and gossip,
// checks each one works, and goes away again. What the staying SDK holds (listeners on its parts,
// the process's active handles, heap) is measured before and after.
import { EventEmitter } from 'node:events'
import b4a from 'b4a'
import { createSDK, type SDK } from '@dat-sdk/sdk'
import { Store } from '@dat-sdk/store'
import { Core } from '@dat-sdk/core-wrapper'
import { Networker } from '@dat-sdk/networker'
import { Gossip } from '@dat-sdk/gossip'
import { eventually, type LoopbackTestnet } from '@dat-sdk/test-utils'

export interface ChurnSnapshot {
  /** Listeners on every emitter of the staying SDK that a peer touches. */
  listeners: number
  /** `process.getActiveResourcesInfo()` of the whole process, by kind. */
  handles: Record<string, number>
  handleCount: number
  heapUsed: number
}

export interface Churn {
  sdk: SDK
  /** One connect/use/disconnect cycle with a fresh peer. */
  cycle(): Promise<void>
  snapshot(): ChurnSnapshot
  /** Messages the staying SDK got on its extensions (one per cycle each). */
  received: { core: number; stream: number }
  close(): Promise<void>
}

const GOSSIP_KEY = b4a.alloc(32, 7) // what every peer advertises: the set does not grow with cycles
const SDK_KEY = b4a.alloc(32, 9)

export async function startChurn(testnet: LoopbackTestnet): Promise<Churn> {
  // Our own factory, so the test holds the networker as the class it is (the SDK types it as the
  // NetworkerLike seam, which has no swarm or publicKey).
  let networker: Networker | null = null
  const ownSwarm = testnet.swarm() // ours, typed as the Hyperswarm it is; destroyed by close()
  const sdk = await createSDK({
    storage: false,
    autoJoin: false,
    networker: (store) => (networker = new Networker(store, { swarm: ownSwarm })),
  })
  if (!networker) throw new Error('the SDK did not make its networker')
  const net: Networker = networker
  const received = { core: 0, stream: 0 }
  const core = sdk.Hypercore<string>('churn', { valueEncoding: 'utf-8' })
  await core.append(['a', 'b', 'c'])
  core.registerExtension<string>('churn-core', {
    encoding: 'utf-8',
    onmessage: () => {
      received.core++
    },
  })
  const stream = net.registerExtension<string>('churn-stream', {
    encoding: 'utf-8',
    onmessage: (message, peer) => {
      received.stream++
      stream.send('pong:' + message, peer)
    },
  })
  const gossip = sdk.Gossip()
  gossip.advertise(SDK_KEY)
  await net.listen()

  // The emitters a peer touches on the staying side.
  const emitters = (): EventEmitter[] => [
    net,
    ownSwarm,
    ownSwarm.dht,
    sdk.store,
    core,
    core.hypercore,
    gossip,
  ]

  let n = 0
  async function cycle(): Promise<void> {
    n++
    const store = Store.temp()
    const swarm = testnet.swarm()
    const peerNet = new Networker(store, { swarm })
    const remote = new Core<string>(store.get(core.key, { valueEncoding: 'utf-8' }))
    const gb = new Gossip(peerNet)
    let pong = ''
    const ext = peerNet.registerExtension<string>('churn-stream', {
      encoding: 'utf-8',
      onmessage: (m) => {
        pong = m
      },
    })
    const coreExt = remote.registerExtension<string>('churn-core', { encoding: 'utf-8' })
    try {
      gb.advertise(GOSSIP_KEY)
      await remote.ready()
      peerNet.on('peer-add', (peer) => ext.send('ping' + n, peer))
      remote.on('peer-add', (peer) => coreExt.send('hello', peer))
      swarm.joinPeer(net.publicKey)
      const done = remote.hypercore.findingPeers()
      await eventually(() => remote.peers().length === 1, { timeout: 20_000 })
      done()
      await remote.update({ wait: true })
      if ((await remote.get(2)) !== 'c') throw new Error('cycle ' + n + ': wrong block')
      await eventually(
        () => pong === 'pong:ping' + n && gb.has(SDK_KEY) && gossip.has(GOSSIP_KEY),
        {
          timeout: 20_000,
        },
      )
    } finally {
      swarm.leavePeer(net.publicKey)
      await gb.close()
      ext.destroy()
      await remote.close()
      await peerNet.close()
      await swarm.destroy()
      await store.close()
    }
    // The staying side sees the peer go.
    await eventually(() => net.peers.length === 0 && core.peers().length === 0, {
      timeout: 20_000,
    })
  }

  function snapshot(): ChurnSnapshot {
    let listeners = 0
    for (const e of emitters()) {
      for (const name of e.eventNames()) listeners += e.listenerCount(name)
    }
    const handles: Record<string, number> = {}
    const info = process.getActiveResourcesInfo()
    for (const kind of info) handles[kind] = (handles[kind] ?? 0) + 1
    return {
      listeners,
      handles,
      handleCount: info.length,
      heapUsed: process.memoryUsage().heapUsed,
    }
  }

  return {
    sdk,
    cycle,
    snapshot,
    received,
    close: async () => {
      await sdk.close()
      await ownSwarm.destroy()
    },
  }
}
