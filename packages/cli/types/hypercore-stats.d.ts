// Hand-written declaration for `hypercore-stats` 2 (it ships no types), typed as far as the cli's
// metrics use it.
declare module 'hypercore-stats' {
  import { EventEmitter } from 'node:events'
  import type Corestore from 'corestore'

  /** What `registerPrometheusMetrics()` uses of prom-client: its metric classes. */
  export interface PromClientLike {
    Gauge: unknown
    Counter?: unknown
    Histogram?: unknown
  }

  export default class HypercoreStats extends EventEmitter {
    constructor(opts?: { cacheExpiryMs?: number })
    /** Counts every core `store` opens (through a passive watcher, stopped when the store closes). */
    static fromCorestore(store: Corestore): HypercoreStats
    registerPrometheusMetrics(promClient: PromClientLike): void
    toJson(): Record<string, unknown>
  }
}
