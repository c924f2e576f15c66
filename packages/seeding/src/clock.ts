// The status clock: one timer for every open seed of the process, on which each looks at its
// status. Its own module, so that seed.ts holds one seed.

/** How often a seed looks at its cores and its blind peers' acknowledgements (ms). */
export const STATUS_INTERVAL = 250

/** What the clock ticks: a seed (its `tick()` looks at its status). */
export interface Ticking {
  tick(): void
}

/**
 * The one clock every seed of the process looks at its status on: a seeder holding 1,000 parts
 * runs one timer, not 1,000. It runs while some seed is open, and holds the seeds themselves
 * (not a function of each).
 */
class StatusClock {
  private _timer: ReturnType<typeof setInterval> | null = null
  private readonly _ticks = new Set<Ticking>()

  add(seed: Ticking): void {
    this._ticks.add(seed)
    if (this._timer) return
    this._timer = setInterval(() => {
      for (const t of this._ticks) t.tick()
    }, STATUS_INTERVAL)
    this._timer.unref?.()
  }

  delete(seed: Ticking): void {
    this._ticks.delete(seed)
    if (this._ticks.size > 0 || !this._timer) return
    clearInterval(this._timer)
    this._timer = null
  }
}

export const clock = new StatusClock()
