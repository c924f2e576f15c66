// close() leaves no handle open: a process that used a networker exits on its own soon after.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

test('a script that creates, uses and closes networkers exits on its own within 2 s of close', async () => {
  const fixture = path.join(import.meta.dirname, 'fixtures', 'use-and-close.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: path.join(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let closedAt = 0
  child.stdout.on('data', (d: Buffer) => {
    output += d
    if (!closedAt && output.includes('closed')) closedAt = Date.now()
  })
  child.stderr.on('data', (d: Buffer) => (output += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  )
  const exitedAt = Date.now()
  clearTimeout(killer)
  assert.is(signal, null, `killed: it did not exit on its own\n${output}`)
  assert.is(code, 0, output)
  assert.ok(closedAt > 0, `never closed\n${output}`)
  assert.ok(exitedAt - closedAt < 2000, `exited ${exitedAt - closedAt} ms after close`)
})

test.run()
