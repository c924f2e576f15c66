import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import {
  DatSdkError,
  asBadMessage,
  dispatchMessage,
  resolveEncoding,
  type DispatchHandlers,
} from '@dat-sdk/store'
import { eventually } from '@dat-sdk/test-utils'

const test = suite('dispatchMessage')

interface Seen {
  messages: unknown[]
  onerror: string[]
  reported: string[]
}

function recorder(): Seen {
  return { messages: [], onerror: [], reported: [] }
}

const peer = { id: 'p' }

function run<M>(
  encoding: Parameters<typeof resolveEncoding<M>>[0],
  handlers: DispatchHandlers<M, typeof peer>,
  bytes: Uint8Array,
  seen: Seen,
): void {
  dispatchMessage('test', resolveEncoding<M>(encoding), handlers, bytes, peer, (err, p) => {
    assert.is(p, peer)
    seen.reported.push(err.code)
  })
}

test('a message that decodes reaches onmessage and nothing is reported', () => {
  const seen = recorder()
  run<unknown>('json', { onmessage: (m) => void seen.messages.push(m) }, b4a.from('{"a":1}'), seen)
  assert.equal(seen.messages, [{ a: 1 }])
  assert.equal(seen.reported, [])
})

test('bytes that do not decode are BAD_MESSAGE to onerror, then to the report', () => {
  const seen = recorder()
  const handlers: DispatchHandlers<unknown, typeof peer> = {
    onmessage: (m) => void seen.messages.push(m),
    onerror: (err, p) => {
      assert.is(p, peer)
      seen.onerror.push(err.code)
    },
  }
  run<unknown>('json', handlers, b4a.from('{"a":'), seen)
  assert.equal(seen.messages, [])
  assert.equal(seen.onerror, ['BAD_MESSAGE'])
  assert.equal(seen.reported, ['BAD_MESSAGE'])
})

test('an onmessage that throws is BAD_MESSAGE, and a throwing onerror is swallowed', () => {
  const seen = recorder()
  const handlers: DispatchHandlers<Uint8Array, typeof peer> = {
    onmessage: () => {
      throw new Error('handler bug')
    },
    onerror: (err) => {
      seen.onerror.push(err.code)
      throw new Error('onerror bug')
    },
  }
  run<Uint8Array>('binary', handlers, b4a.from('x'), seen)
  assert.equal(seen.onerror, ['BAD_MESSAGE'])
  assert.equal(seen.reported, ['BAD_MESSAGE'])
})

test('an onmessage whose promise rejects is BAD_MESSAGE once it rejects', async () => {
  const seen = recorder()
  const handlers: DispatchHandlers<Uint8Array, typeof peer> = {
    onmessage: async () => {
      throw new Error('async handler bug')
    },
  }
  run<Uint8Array>('binary', handlers, b4a.from('x'), seen)
  await eventually(() => seen.reported.length === 1)
  assert.equal(seen.reported, ['BAD_MESSAGE'])
})

test('a report that throws does not escape', () => {
  const codec = resolveEncoding('utf-8')
  let calls = 0
  dispatchMessage('test', codec, {}, b4a.from([0xff]), peer, () => {
    calls++
    throw new Error('listener bug')
  })
  assert.is(calls, 1, 'bad UTF-8 was reported')
})

test('asBadMessage keeps a BAD_MESSAGE and wraps anything else with its cause', () => {
  const bad = new DatSdkError('BAD_MESSAGE', 'already')
  assert.is(asBadMessage(bad), bad)
  const cause = new RangeError('cut')
  const wrapped = asBadMessage(cause, 'Decoding')
  assert.is(wrapped.code, 'BAD_MESSAGE')
  assert.is(wrapped.cause, cause)
  const closed = new DatSdkError('CLOSED', 'closed')
  assert.is(asBadMessage(closed).code, 'BAD_MESSAGE')
  assert.is(asBadMessage('a string').code, 'BAD_MESSAGE')
})

test.run()
