import type { Writable } from 'node:stream'

/** What a progress bar shows: files and bytes done, and the totals when known. */
export interface ProgressState {
  /** Files done so far. */
  files: number
  /** Bytes done so far. */
  bytes: number
  /** Files in all, when known. */
  totalFiles?: number
  /** Bytes in all, when known. */
  totalBytes?: number
  /**
   * Bytes per second now (a part's `stats().downloadSpeed`, say); without it, the average since
   * the bar started.
   */
  speed?: number
}

const WIDTH = 24

/** `1.2 MiB`, `850 KiB`, `12 B`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}

/** `850 ms`, `1.2 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** Time left, coarse: `42 s left`, `3 min left`, `2 h 5 min left`; `?` when unknown. */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '? left'
  const s = Math.ceil(seconds)
  if (s < 60) return `${s} s left`
  const min = Math.ceil(s / 60)
  if (min < 60) return `${min} min left`
  return `${Math.floor(min / 60)} h ${min % 60} min left`
}

/**
 * A one-line progress bar: files, bytes, speed and (with totals) the time left. On a terminal it redraws in place; elsewhere
 * (a pipe, a log) it prints a line at most once a second, and the last one when done.
 */
export class ProgressBar {
  private readonly _out: Writable & { isTTY?: boolean; columns?: number }
  private readonly _label: string
  private readonly _started = Date.now()
  private _state: ProgressState = { files: 0, bytes: 0 }
  private _lastPrint = 0
  private _drawn = false

  constructor(out: Writable & { isTTY?: boolean }, label: string) {
    this._out = out
    this._label = label
  }

  /** Records `state` and redraws the bar (on a terminal at most every 80 ms, elsewhere a line a second). */
  update(state: ProgressState): void {
    this._state = { ...state }
    const now = Date.now()
    if (this._out.isTTY) {
      if (now - this._lastPrint < 80) return
      this._lastPrint = now
      this._out.write(`\r\x1b[2K${this.line()}`)
      this._drawn = true
    } else if (now - this._lastPrint >= 1000) {
      this._lastPrint = now
      this._out.write(this.line() + '\n')
    }
  }

  /** Prints the final state on its own line. */
  done(state: ProgressState = this._state): void {
    this._state = { ...state }
    if (this._out.isTTY && this._drawn) this._out.write('\r\x1b[2K')
    this._out.write(this.line() + '\n')
  }

  /** The bar's current line: counts, totals and speed. */
  line(): string {
    const { files, bytes, totalFiles, totalBytes } = this._state
    const elapsed = Math.max(1, Date.now() - this._started)
    const rate = this._state.speed ?? (bytes * 1000) / elapsed
    const speed = `${formatBytes(Math.round(rate))}/s`
    const left =
      totalBytes !== undefined && bytes < totalBytes
        ? `  ${formatTimeLeft(rate > 0 ? (totalBytes - bytes) / rate : null)}`
        : ''
    const fraction =
      totalBytes && totalBytes > 0
        ? bytes / totalBytes
        : totalFiles && totalFiles > 0
          ? files / totalFiles
          : null
    const filled = fraction === null ? 0 : Math.min(WIDTH, Math.round(fraction * WIDTH))
    const bar = fraction === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] `
    const fileText = totalFiles !== undefined ? `${files}/${totalFiles} files` : `${files} files`
    const byteText =
      totalBytes !== undefined
        ? `${formatBytes(bytes)} / ${formatBytes(totalBytes)}`
        : formatBytes(bytes)
    return `${this._label} ${bar}${fileText}  ${byteText}  ${speed}${left}`
  }
}
