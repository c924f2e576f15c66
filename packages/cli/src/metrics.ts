// Prometheus metrics for an SDK: hypercore-stats' counters (Holepunch's own, for every core of the
// store) and the SDK's (bytes and peers per part, seeds backed up, gossip set sizes, multifeed
// feeds), with prom-client. This lives in the CLI, not in @dat-sdk/sdk, so an app that does not
// want prom-client never loads it; `serveMetrics()` is what `serve --metrics` (and `seed
// --metrics`) run.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import HypercoreStats from 'hypercore-stats'
import promClient, { type GaugeConfiguration } from 'prom-client'
import type { SDK } from '@dat-sdk/sdk'

/** How long one scrape's reading of the stats is reused (a scrape takes a few milliseconds). */
const SNAPSHOT_MS = 100

/** An SDK's metrics, in a registry of their own (never prom-client's global one). */
export interface Metrics {
  /** The prom-client registry holding them. */
  readonly registry: promClient.Registry
  /** The Prometheus text exposition of every metric, as of now. */
  text(): Promise<string>
  /** The Content-Type of `text()`. */
  readonly contentType: string
}

interface Metered {
  stats(): { downloadedBytes: number; uploadedBytes: number; peers: number }
  readonly url: string | null
}

function isMetered(part: object): part is Metered {
  return 'meter' in part && typeof (part as Partial<Metered>).stats === 'function'
}

function hasFunction<K extends string>(
  part: object,
  name: K,
): part is Record<K, (...args: never[]) => unknown> {
  return typeof (part as Record<string, unknown>)[name] === 'function'
}

/** The kind label of a part: core, drive, bee or base. */
function kindOf(part: object): string {
  if ('hyperdrive' in part) return 'drive'
  if ('hyperbee' in part) return 'bee'
  if ('autobase' in part) return 'base'
  return 'core'
}

/** Builds the metrics of `sdk` (it must be open). Each call has its own registry. */
export function createMetrics(sdk: SDK): Metrics {
  const registry = new promClient.Registry()
  // hypercore-stats makes its gauges with `new promClient.Gauge(...)`: hand it a Gauge that
  // registers in our registry, so two SDKs (or two calls) in one process never collide.
  class Gauge<T extends string> extends promClient.Gauge<T> {
    constructor(config: GaugeConfiguration<T>) {
      super({ ...config, registers: [registry] })
    }
  }
  HypercoreStats.fromCorestore(sdk.store.corestore).registerPrometheusMetrics({ Gauge })

  // One scrape reads each stats() once: ten gauges below share the SDK's, three share each part's
  // (a stats() call counts the local blocks in a bitfield, milliseconds on a big core mid-download).
  // A snapshot lives for SNAPSHOT_MS, as hypercore-stats keeps its own for a scrape.
  let taken = -Infinity
  let sdkStats: ReturnType<SDK['stats']> | null = null
  let partStats = new WeakMap<Metered, ReturnType<Metered['stats']>>()
  const fresh = () => {
    if (performance.now() - taken > SNAPSHOT_MS) {
      taken = performance.now()
      sdkStats = null
      partStats = new WeakMap()
    }
  }
  const statsOfSdk = () => {
    fresh()
    return (sdkStats ??= sdk.stats())
  }
  const statsOf = (part: Metered) => {
    fresh()
    let stats = partStats.get(part)
    if (!stats) partStats.set(part, (stats = part.stats()))
    return stats
  }

  const totals: Array<[string, string, (s: ReturnType<SDK['stats']>) => number]> = [
    ['dat_sdk_blocks', 'Blocks in every open part', (s) => s.blocks],
    ['dat_sdk_local_blocks', 'Blocks of the open parts stored here', (s) => s.localBlocks],
    ['dat_sdk_byte_length', 'Payload bytes in every open part', (s) => s.byteLength],
    [
      'dat_sdk_downloaded_bytes',
      'Block payload bytes downloaded (not wire bytes)',
      (s) => s.downloadedBytes,
    ],
    [
      'dat_sdk_uploaded_bytes',
      'Block payload bytes uploaded (not wire bytes)',
      (s) => s.uploadedBytes,
    ],
    ['dat_sdk_downloaded_blocks', 'Blocks downloaded', (s) => s.downloadedBlocks],
    ['dat_sdk_uploaded_blocks', 'Blocks uploaded', (s) => s.uploadedBlocks],
    [
      'dat_sdk_download_speed_bytes',
      'Payload bytes per second downloaded, last few seconds',
      (s) => s.downloadSpeed,
    ],
    [
      'dat_sdk_upload_speed_bytes',
      'Payload bytes per second uploaded, last few seconds',
      (s) => s.uploadSpeed,
    ],
    ['dat_sdk_connections', 'Open connections, each counted once', (s) => s.connections],
  ]
  for (const [name, help, read] of totals) {
    new Gauge({
      name,
      help,
      collect() {
        if (!sdk.closing) this.set(read(statsOfSdk()))
      },
    })
  }

  const perPart: Array<[string, string, (s: ReturnType<Metered['stats']>) => number]> = [
    [
      'dat_sdk_part_downloaded_bytes',
      'Block payload bytes a part downloaded',
      (s) => s.downloadedBytes,
    ],
    ['dat_sdk_part_uploaded_bytes', 'Block payload bytes a part uploaded', (s) => s.uploadedBytes],
    ['dat_sdk_part_peers', 'Peers replicating a part', (s) => s.peers],
  ]
  for (const [name, help, read] of perPart) {
    new Gauge({
      name,
      help,
      labelNames: ['kind', 'url'],
      collect() {
        this.reset()
        if (sdk.closing) return
        for (const part of sdk.parts()) {
          if (!isMetered(part) || !part.url) continue
          this.set({ kind: kindOf(part), url: part.url }, read(statsOf(part)))
        }
      },
    })
  }

  new Gauge({
    name: 'dat_sdk_seeds',
    help: 'Parts seeded (sdk.seed())',
    collect() {
      if (!sdk.closing) this.set(sdk.seeds().length)
    },
  })
  new Gauge({
    name: 'dat_sdk_seeds_backed_up',
    help: 'Seeded parts every blind peer holds all of',
    collect() {
      if (!sdk.closing) this.set(sdk.seeds().filter((seed) => seed.status().backedUp).length)
    },
  })
  new Gauge({
    name: 'dat_sdk_gossip_entries',
    help: 'Entries in the open gossip sets, summed',
    collect() {
      if (sdk.closing) return
      let n = 0
      for (const part of sdk.parts()) {
        if (hasFunction(part, 'advertise') && hasFunction(part, 'list')) {
          const list = part.list()
          if (Array.isArray(list)) n += list.length
        }
      }
      this.set(n)
    },
  })
  new Gauge({
    name: 'dat_sdk_multifeed_feeds',
    help: 'Feeds in the open multifeeds, summed',
    collect() {
      if (sdk.closing) return
      let n = 0
      for (const part of sdk.parts()) {
        if (hasFunction(part, 'feeds')) {
          const feeds = part.feeds()
          if (Array.isArray(feeds)) n += feeds.length
        }
      }
      this.set(n)
    },
  })

  return {
    registry,
    text: () => registry.metrics(),
    contentType: registry.contentType,
  }
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string
  /** Stops serving. */
  close(): Promise<void>
}

/** A `--metrics` address taken (`EADDRINUSE`) or not ours to bind. */
export class MetricsListenError extends Error {
  /** Node's code (`EADDRINUSE`, `EACCES`...). */
  readonly code: string
  constructor(message: string, code: string) {
    super(message)
    this.name = 'MetricsListenError'
    this.code = code
  }
}

/**
 * Serves `sdk`'s metrics at `http://host:port/metrics` (anything else is 404). Rejects with a
 * one-line `MetricsListenError` naming the address when it cannot listen there.
 */
export async function serveMetrics(
  sdk: SDK,
  address: { host: string; port: number },
): Promise<MetricsServer> {
  const metrics = createMetrics(sdk)
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (path !== '/metrics') {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Not found: try /metrics\n')
      return
    }
    metrics.text().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.contentType })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`${err instanceof Error ? err.message : String(err)}\n`)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    const onerror = (err: NodeJS.ErrnoException) => {
      const where = `${address.host}:${address.port}`
      const why =
        err.code === 'EADDRINUSE'
          ? `${where} is already in use`
          : err.code === 'EADDRNOTAVAIL'
            ? `${where} is not an address of this machine`
            : `cannot listen on ${where} (${err.code ?? err.message})`
      reject(new MetricsListenError(`--metrics: ${why}`, err.code ?? 'LISTEN_FAILED'))
    }
    server.once('error', onerror)
    server.listen(address.port, address.host, () => {
      server.off('error', onerror)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = address.host.includes(':') ? `[${address.host}]` : address.host
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
