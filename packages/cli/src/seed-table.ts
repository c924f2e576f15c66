// The status table of `dat-sdk seed`: one row per seed (its URL, short; its kind; blocks held here
// of the total; peers; and per blind peer, backed up or not). On a terminal it is redrawn in place;
// otherwise each row is printed as a line of its own whenever it changes.
import type { Writable } from 'node:stream'
import type { SeedEntry } from './seed-control.js'

/** `hyper://abcdefgh…/`: enough of the key to tell seeds apart in a table. */
export function shortURL(url: string, chars = 12): string {
  const m = /^hyper:\/\/([^/]+)\/?$/.exec(url)
  if (!m || m[1].length <= chars) return url
  return `hyper://${m[1].slice(0, chars)}…/`
}

/** A blind peer's key, short. */
export function shortKey(z32: string, chars = 8): string {
  return z32.length <= chars ? z32 : `${z32.slice(0, chars)}…`
}

/** One row: what `dat-sdk seed` shows of a seed, and what `seed --list` prints. */
export function formatRow(entry: SeedEntry): string {
  const cells = [shortURL(entry.url), entry.kind.padEnd(8)]
  if (!entry.running || entry.blocks === undefined) {
    cells.push(entry.running ? 'opening' : 'recorded, not running')
    return cells.join('  ')
  }
  cells.push(`${entry.localBlocks}/${entry.blocks} blocks`)
  cells.push(`${entry.peers} ${entry.peers === 1 ? 'peer' : 'peers'}`)
  for (const bp of entry.blindPeers ?? []) {
    const state = bp.backedUp
      ? 'backed up'
      : `${bp.connected ? '' : 'offline, '}not backed up (${bp.blocks}/${entry.localBlocks})`
    cells.push(`blind peer ${shortKey(bp.key)}: ${state}`)
  }
  return cells.join('  ')
}

/** Draws the table: in place on a TTY, as changed rows otherwise. */
export class StatusTable {
  private readonly _out: Writable & { isTTY?: boolean }
  private _drawn = 0
  private _lastFrame = ''
  private readonly _lastRow = new Map<string, string>()

  constructor(out: Writable & { isTTY?: boolean }) {
    this._out = out
  }

  update(entries: SeedEntry[]): void {
    const rows = entries.map((e) => [e.url, formatRow(e)] as const)
    if (this._out.isTTY) {
      const frame = rows.length ? rows.map(([, r]) => r).join('\n') : 'nothing seeded yet'
      if (frame === this._lastFrame) return
      this._lastFrame = frame
      // Up to where the last frame began, clear to the end, draw the new one.
      const up = this._drawn > 0 ? `\x1b[${this._drawn}F` : ''
      this._out.write(`${up}\x1b[J${frame}\n`)
      this._drawn = frame.split('\n').length
      return
    }
    const seen = new Set<string>()
    for (const [url, row] of rows) {
      seen.add(url)
      if (this._lastRow.get(url) === row) continue
      this._lastRow.set(url, row)
      this._out.write(`${row}\n`)
    }
    for (const url of [...this._lastRow.keys()]) if (!seen.has(url)) this._lastRow.delete(url)
  }
}
