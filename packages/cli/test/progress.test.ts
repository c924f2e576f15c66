import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Writable } from 'node:stream'
import { ProgressBar, formatTimeLeft } from '../src/progress.js'

const test = suite('the progress bar: files, bytes, speed and time left')

const MiB = 1024 * 1024

function sink(): Writable & { text: string } {
  const out = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.text += chunk.toString()
        cb()
      },
    }),
    { text: '' },
  )
  return out
}

test('mid-transfer it shows the speed given and the time left at that speed', () => {
  const bar = new ProgressBar(sink(), 'cloning')
  bar.update({ files: 1, bytes: MiB, totalFiles: 4, totalBytes: 4 * MiB, speed: MiB })
  assert.is(
    bar.line(),
    'cloning [######..................] 1/4 files  1.0 MiB / 4.0 MiB  1.0 MiB/s  3 s left',
  )
  bar.update({ files: 1, bytes: MiB, totalFiles: 4, totalBytes: 4 * MiB, speed: 0 })
  assert.match(bar.line(), /0 B\/s {2}\? left$/)
})

test('done, it shows no time left; the times read as people say them', () => {
  const bar = new ProgressBar(sink(), 'cloning')
  bar.update({ files: 4, bytes: 4 * MiB, totalFiles: 4, totalBytes: 4 * MiB, speed: MiB })
  assert.ok(bar.line().endsWith('1.0 MiB/s'), bar.line())
  assert.is(formatTimeLeft(0.2), '1 s left')
  assert.is(formatTimeLeft(125), '3 min left')
  assert.is(formatTimeLeft(2 * 3600 + 301), '2 h 6 min left')
  assert.is(formatTimeLeft(null), '? left')
})

test.run()
