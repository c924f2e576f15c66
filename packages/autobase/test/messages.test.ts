import assert from 'node:assert/strict'
import c from 'compact-encoding'
import { suite } from 'uvu'
import { assertThrowsCode } from '@dat-sdk/test-utils'
import { OpType, checkPairingMessage, decodeOp, encodeOp, type Op } from '../src/index.js'
import { pairingRequest, pairingResponse } from '../src/messages.js'

const test = suite('messages')

const key = Buffer.alloc(32, 7)
const b = (bytes: number[]) => Buffer.from(bytes) // decoded bytes are Buffers (b4a)

test('every log entry round-trips, empty keys and values included', () => {
  const ops: Op[] = [
    { type: OpType.PUT, key: b([1, 2]), value: b([3]) },
    { type: OpType.PUT, key: b([]), value: b([]) },
    { type: OpType.DEL, key: b([9]) },
    { type: OpType.ADD_WRITER, key, indexer: false },
    { type: OpType.REMOVE_WRITER, key },
    { type: OpType.APPEND, value: b([4, 5, 6]) },
  ]
  for (const op of ops) assert.deepEqual(decodeOp(encodeOp(op)), op)
})

test('bytes that are not a log entry are BAD_MESSAGE', () => {
  const good = encodeOp({ type: OpType.ADD_WRITER, key, indexer: true })
  for (const bad of [
    new Uint8Array(0),
    new Uint8Array([2, 0]), // unknown version
    new Uint8Array([1, 99]), // unknown type
    good.subarray(0, 10), // truncated key
    new Uint8Array([...good, 0]), // trailing byte
    new Uint8Array([1, 0, 200, 1]), // a key longer than the entry
  ]) {
    assertThrowsCode(() => decodeOp(bad), 'BAD_MESSAGE')
  }
})

test('pairing messages: well-formed ones pass, anything else is BAD_MESSAGE', () => {
  const req = c.encode(pairingRequest, { inviteId: key, session: key, data: new Uint8Array(5) })
  const res = c.encode(pairingResponse, { id: key, payload: new Uint8Array(3) })
  assert.deepEqual(checkPairingMessage(0, c.encode(c.buffer, req)), req)
  assert.deepEqual(checkPairingMessage(1, c.encode(c.buffer, res)), res)
  assertThrowsCode(() => checkPairingMessage(0, new Uint8Array([0xff, 0xff, 0xff])), 'BAD_MESSAGE')
  assertThrowsCode(
    () => checkPairingMessage(1, c.encode(c.buffer, new Uint8Array(4))),
    'BAD_MESSAGE',
  )
  assertThrowsCode(() => checkPairingMessage(0, c.encode(c.buffer, res)), 'BAD_MESSAGE')
  assertThrowsCode(() => checkPairingMessage(1, new Uint8Array(0)), 'BAD_MESSAGE')
})

test.run()
