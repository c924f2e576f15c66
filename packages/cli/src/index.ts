export { main } from './main.js'
export { main as default } from './main.js'
export { ProgressBar, formatBytes, formatDuration, type ProgressState } from './progress.js'
export type { IO } from './io.js'
