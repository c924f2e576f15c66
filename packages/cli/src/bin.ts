#!/usr/bin/env node
import { describeError } from './io.js'
import { main } from './main.js'

// Anything that escapes a command (an 'error' nobody listened to, a rejection) is still one line.
const fatal = (err: unknown) => {
  process.stderr.write(`dat-sdk: ${describeError(err)}\n`)
  if (process.env.DAT_SDK_DEBUG && err instanceof Error && err.stack)
    process.stderr.write(`${err.stack}\n`)
  process.exit(1)
}
process.on('uncaughtException', fatal)
process.on('unhandledRejection', fatal)

/**
 * How long a command has to close cleanly after SIGINT / SIGTERM before the process leaves anyway
 * (issue 14: every command exits within 2 s, whatever it was waiting on). What was written is on
 * disk: hypercore's storage survives an exit at any point.
 */
const STOP_GRACE = 1500

const stop = new AbortController()
let interrupts = 0
const onsignal = (signal: NodeJS.Signals) => {
  const code = signal === 'SIGTERM' ? 143 : 130
  // The first Ctrl-C closes cleanly; a second one leaves at once.
  if (++interrupts > 1) process.exit(code)
  stop.abort()
  setTimeout(() => {
    process.stderr.write(`dat-sdk: did not close within ${STOP_GRACE / 1000} s; leaving anyway\n`)
    process.exit(code)
  }, STOP_GRACE).unref()
}
process.on('SIGINT', onsignal)
process.on('SIGTERM', onsignal)

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
})
process.off('SIGINT', onsignal)
process.off('SIGTERM', onsignal)
process.exitCode = code
// Everything is closed by now and the process ends on its own; this only guards against a
// handle someone else left open keeping it alive after the command finished.
setTimeout(() => process.exit(code), 5000).unref()
