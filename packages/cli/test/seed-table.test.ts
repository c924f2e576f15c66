// The seed command's status table: redrawn in place on a terminal (cursor up over the last frame,
// clear, draw), one line per changed row otherwise.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Writable } from 'node:stream'
import { formatRow, shortURL, StatusTable } from '../src/seed-table.js'
import type { SeedEntry } from '../src/seed-control.js'

const test = suite('dat-sdk seed: the status table')

/** A stream that keeps what is written; `isTTY` as a terminal's or a pipe's. */
class Sink extends Writable {
  chunks: string[] = []
  isTTY: boolean
  constructor(isTTY: boolean) {
    super()
    this.isTTY = isTTY
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.chunks.push(String(chunk))
    cb()
  }
}

const URL_A = `hyper://${'a'.repeat(52)}/`
const URL_B = `hyper://${'b'.repeat(52)}/`

function entry(url: string, localBlocks: number, backedUp: boolean): SeedEntry {
  return {
    url,
    kind: 'drive',
    running: true,
    blocks: 10,
    localBlocks,
    peers: 1,
    backedUp,
    blindPeers: [{ key: 'y'.repeat(52), connected: true, blocks: backedUp ? 10 : 3, backedUp }],
  }
}

test('a row: short URL, kind, blocks, peers, and each blind peer backed up or not', () => {
  assert.is(shortURL(URL_A), `hyper://${'a'.repeat(12)}…/`)
  assert.is(
    formatRow(entry(URL_A, 10, true)),
    `hyper://${'a'.repeat(12)}…/  drive     10/10 blocks  1 peer  blind peer yyyyyyyy…: backed up`,
  )
  assert.match(formatRow(entry(URL_A, 7, false)), /7\/10 blocks .* not backed up \(3\/7\)$/)
  const offline = entry(URL_A, 7, false)
  offline.blindPeers![0].connected = false
  assert.match(formatRow(offline), /offline, not backed up/)
  assert.match(formatRow({ url: URL_B, kind: 'bee', running: false }), /recorded, not running$/)
})

test('on a terminal the table is redrawn in place; unchanged, nothing is written', () => {
  const out = new Sink(true)
  const table = new StatusTable(out)
  table.update([entry(URL_A, 3, false), entry(URL_B, 3, false)])
  assert.is(out.chunks.length, 1)
  assert.not.match(out.chunks[0], /\x1b\[\d+F/, 'the first frame moves no cursor')
  table.update([entry(URL_A, 3, false), entry(URL_B, 3, false)])
  assert.is(out.chunks.length, 1, 'an unchanged table is not redrawn')
  table.update([entry(URL_A, 10, true), entry(URL_B, 3, false)])
  assert.is(out.chunks.length, 2)
  assert.ok(out.chunks[1].startsWith('\x1b[2F\x1b[J'), JSON.stringify(out.chunks[1]))
  assert.match(out.chunks[1], /10\/10 blocks/)
})

test('not on a terminal: one plain line per row that changed', () => {
  const out = new Sink(false)
  const table = new StatusTable(out)
  table.update([entry(URL_A, 3, false), entry(URL_B, 3, false)])
  table.update([entry(URL_A, 10, true), entry(URL_B, 3, false)])
  const text = out.chunks.join('')
  assert.not.match(text, /\x1b/)
  const lines = text.trim().split('\n')
  assert.is(lines.length, 3)
  assert.match(lines[2], /^hyper:\/\/a+…\/\s+drive\s+10\/10 blocks/)
})

test.run()
