/** A DHT bootstrap node. */
export interface BootstrapNode {
  host: string
  port: number
}

/** Turns `'host:port'` strings (and `[v6]:port`) and `{ host, port }` objects into objects. */
export function parseBootstrap(list: ReadonlyArray<BootstrapNode | string>): BootstrapNode[] {
  if (!Array.isArray(list))
    throw new TypeError('bootstrap must be an array of { host, port } or "host:port"')
  return list.map((node) => {
    if (typeof node === 'string') {
      const m = /^\[([^\]]+)\]:(\d+)$/.exec(node.trim()) ?? /^([^:]+):(\d+)$/.exec(node.trim())
      if (!m) throw new TypeError(`A bootstrap node is "host:port", not ${JSON.stringify(node)}`)
      return { host: m[1], port: checkPort(Number(m[2]), node) }
    }
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
