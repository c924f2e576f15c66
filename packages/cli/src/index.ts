// hyperdht/testnet.js (the `testnet` and `demo` commands) is declared by @dat-sdk/networker.
/// <reference path="../../networker/types/hyperdht.d.ts" preserve="true" />
/// <reference path="../types/hypercore-stats.d.ts" preserve="true" />
export { main } from './main.js'
export { main as default } from './main.js'
export {
  ProgressBar,
  formatBytes,
  formatDuration,
  formatTimeLeft,
  type ProgressState,
} from './progress.js'
export type { IO } from './io.js'
export {
  createMetrics,
  serveMetrics,
  MetricsListenError,
  type Metrics,
  type MetricsServer,
} from './metrics.js'
