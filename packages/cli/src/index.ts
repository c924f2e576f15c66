// hyperdht/testnet.js (the `testnet` and `demo` commands) is declared by @dat-sdk/networker.
/// <reference path="../../networker/types/hyperdht.d.ts" preserve="true" />
export { main } from './main.js'
export { main as default } from './main.js'
export { ProgressBar, formatBytes, formatDuration, type ProgressState } from './progress.js'
export type { IO } from './io.js'
