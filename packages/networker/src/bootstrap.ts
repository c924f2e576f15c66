// The one parser of `host:port` bootstrap addresses (the sdk's options and the cli's flags use it
// too), and the DHT settings that follow from where the bootstrap nodes are.
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type { SwarmKeyPair, SwarmLike } from '@dat-sdk/interfaces'

/** A DHT bootstrap node. */
export interface BootstrapNode {
  /** The node's host name or IP address. */
  host: string
  /** The node's UDP port. */
  port: number
}

/** Parses one `'host:port'` (or `'[v6]:port'`) address; throws a TypeError naming the input. */
export function parseHostPort(address: string): BootstrapNode {
  const s = typeof address === 'string' ? address.trim() : ''
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:\s[\]]+):(\d{1,5})$/.exec(s)
  if (!m) throw new TypeError(`An address is "host:port", not ${JSON.stringify(address)}`)
  return { host: m[1], port: checkPort(Number(m[2]), address) }
}

/** Turns `'host:port'` strings (and `[v6]:port`) and `{ host, port }` objects into objects. */
export function parseBootstrap(list: ReadonlyArray<BootstrapNode | string>): BootstrapNode[] {
  if (!Array.isArray(list))
    throw new TypeError('bootstrap must be an array of { host, port } or "host:port"')
  return list.map((node) => {
    if (typeof node === 'string') return parseHostPort(node)
    if (node && typeof node.host === 'string' && node.host !== '') {
      return { host: node.host, port: checkPort(Number(node.port), node) }
    }
    throw new TypeError(
      `A bootstrap node is "host:port" or { host, port }, not ${JSON.stringify(node)}`,
    )
  })
}

function checkPort(port: number, input: unknown): number {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(`Bad port in bootstrap node ${JSON.stringify(input)}`)
  }
  return port
}

/** Whether `host` is a loopback address (localhost, ::1, 127.x.x.x). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * The DHT settings that follow from the bootstrap list: on a loopback testnet the DHT binds
 * 127.0.0.1 and is not firewalled (across processes nothing connects otherwise), unless told.
 */
export function dhtSettings(
  bootstrap: BootstrapNode[] | undefined,
  host: string | undefined,
  firewalled: boolean | undefined,
): { host?: string; firewalled?: boolean } {
  const loopback =
    !!bootstrap && bootstrap.length > 0 && bootstrap.every((b) => isLoopbackHost(b.host))
  const out: { host?: string; firewalled?: boolean } = {}
  const h = host ?? (loopback ? '127.0.0.1' : undefined)
  const f = firewalled ?? (loopback ? false : undefined)
  if (h !== undefined) out.host = h
  if (f !== undefined) out.firewalled = f
  return out
}

/** Options for `createHyperswarm`. */
export interface CreateSwarmOptions {
  /** The DHT bootstrap nodes (`host:port` strings or objects); the public DHT when unset. */
  bootstrap?: ReadonlyArray<BootstrapNode | string>
  /** The swarm's identity. */
  keyPair?: SwarmKeyPair
  /** The address to bind to. */
  host?: string
  /** Whether the swarm should assume it cannot accept incoming connections. */
  firewalled?: boolean
}

/** A Hyperswarm on a DHT node of its own, set up for where the bootstrap nodes are. */
export function createSwarm(opts: CreateSwarmOptions): SwarmLike {
  return createHyperswarm(opts)
}

/**
 * `createSwarm`, typed as what it is: a Hyperswarm, for code that needs more than `SwarmLike`
 * (the networker force-destroys its own swarm; the cli hands one to `blind-peer`).
 */
export function createHyperswarm(opts: CreateSwarmOptions): Hyperswarm {
  const bootstrap = opts.bootstrap ? parseBootstrap(opts.bootstrap) : undefined
  const dht = new HyperDHT({
    bootstrap,
    ...dhtSettings(bootstrap, opts.host, opts.firewalled),
  })
  dht.ready().then(() => raiseRecvBuffers(dht), noop)
  return new Hyperswarm({ dht, ...(opts.keyPair ? { keyPair: opts.keyPair } : {}) })
}

/**
 * The UDP receive buffer the SDK's own swarm asks for on each of its DHT node's sockets, which
 * carry its connections too. UDX gives a socket about 1 MiB (Linux reports 2 MiB, twice what is
 * set), less than a peer sends while a reader verifies and stores a few 1 MiB blocks: cloning a
 * 256 MiB file over loopback, the reader's socket overflowed and dropped about 7% of the
 * datagrams it was sent (the kernel's RcvbufErrors), and about one clone in six stalled a second
 * or two on a retransmission timeout. With 4 MiB the bench's drops fell from about 230,000 a run
 * to under 100, and the clone took about 10% less time. The kernel caps the request at
 * net.core.rmem_max (4 MiB on this machine; 208 KiB on many Linux installs, where this changes
 * nothing). Nothing else in the stack sets it.
 */
export const RECV_BUFFER_SIZE = 4 * 1024 * 1024

function raiseRecvBuffers(dht: HyperDHT): void {
  for (const socket of [dht.io.serverSocket, dht.io.clientSocket]) {
    try {
      if (!socket) continue
      const before = socket.getRecvBufferSize()
      if (before >= RECV_BUFFER_SIZE) continue
      socket.setRecvBufferSize(RECV_BUFFER_SIZE)
      // Never smaller than it was (Linux reads back twice what is set).
      if (socket.getRecvBufferSize() < before) {
        socket.setRecvBufferSize(process.platform === 'linux' ? before / 2 : before)
      }
    } catch {
      // A platform that refuses the option keeps its default: only speed depends on it.
    }
  }
}

function noop(): void {}
