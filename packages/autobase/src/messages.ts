import c, { type Encoder, type State } from 'compact-encoding'
import { DatSdkError } from '@dat-sdk/store'

/** What a writer appends to its log: one operation on the base. */
export const OpType = {
  /** Default view: set `key` to `value`. */
  PUT: 0,
  /** Default view: delete `key`. */
  DEL: 1,
  /** Make `key` a writer (an indexer when `indexer`). */
  ADD_WRITER: 2,
  /** Remove the writer `key`. */
  REMOVE_WRITER: 3,
  /** Custom view: `value` for the user's `apply`. */
  APPEND: 4,
} as const

export type OpTypeValue = (typeof OpType)[keyof typeof OpType]

/** One operation in a writer's log: a put, a delete, a writer added or removed, or a custom view's value. */
export type Op =
  | { type: typeof OpType.PUT; key: Uint8Array; value: Uint8Array }
  | { type: typeof OpType.DEL; key: Uint8Array }
  | { type: typeof OpType.ADD_WRITER; key: Uint8Array; indexer: boolean }
  | { type: typeof OpType.REMOVE_WRITER; key: Uint8Array }
  | { type: typeof OpType.APPEND; value: Uint8Array }

const VERSION = 1

/** Length-prefixed bytes where an empty value stays empty (compact-encoding's `buffer` gives null). */
const bytes: Encoder<Uint8Array> = {
  preencode(state, b) {
    c.uint.preencode(state, b.byteLength)
    state.end += b.byteLength
  },
  encode(state, b) {
    c.uint.encode(state, b.byteLength)
    state.buffer!.set(b, state.start)
    state.start += b.byteLength
  },
  decode(state) {
    const len = c.uint.decode(state)
    if (len > state.end - state.start) throw new Error('out of bounds')
    const b = state.buffer!.slice(state.start, state.start + len)
    state.start += len
    return b
  },
}

/** A bool that is exactly 0 or 1 (compact-encoding's `bool` reads any other byte as false). */
const strictBool: Encoder<boolean> = {
  preencode(state, b) {
    c.bool.preencode(state, b)
  },
  encode(state, b) {
    c.bool.encode(state, b)
  },
  decode(state) {
    const byte = c.uint8.decode(state)
    if (byte > 1) throw badOp(`a flag byte of ${byte}`)
    return byte === 1
  },
}

function badOp(why: string): DatSdkError {
  return new DatSdkError('BAD_MESSAGE', `Bad log entry: ${why}`)
}

/** Writes (or measures, for `preencode`) a log entry: version, type, then the type's fields. */
function writeOp(step: 'preencode' | 'encode', state: State, op: Op): void {
  c.uint[step](state, VERSION)
  c.uint[step](state, op.type)
  if (op.type === OpType.PUT) {
    bytes[step](state, op.key)
    bytes[step](state, op.value)
  } else if (op.type === OpType.APPEND) {
    bytes[step](state, op.value)
  } else if (op.type === OpType.DEL) {
    bytes[step](state, op.key)
  } else {
    c.fixed32[step](state, op.key)
    if (op.type === OpType.ADD_WRITER) strictBool[step](state, op.indexer)
  }
}

/** A log entry: version, type, then the type's fields. */
export const opCodec: Encoder<Op> = {
  preencode(state, op) {
    writeOp('preencode', state, op)
  },
  encode(state, op) {
    writeOp('encode', state, op)
  },
  decode(state) {
    const version = c.uint.decode(state)
    if (version !== VERSION) throw badOp(`unknown version ${version}`)
    const type = c.uint.decode(state)
    switch (type) {
      case OpType.PUT: {
        const key = bytes.decode(state)
        return { type, key, value: bytes.decode(state) }
      }
      case OpType.DEL: {
        return { type, key: bytes.decode(state) }
      }
      case OpType.ADD_WRITER:
        return { type, key: c.fixed32.decode(state), indexer: strictBool.decode(state) }
      case OpType.REMOVE_WRITER:
        return { type, key: c.fixed32.decode(state) }
      case OpType.APPEND: {
        return { type, value: bytes.decode(state) }
      }
      default:
        throw badOp(`unknown type ${type}`)
    }
  },
}

/** Encodes an operation for a writer's log. */
export function encodeOp(op: Op): Uint8Array {
  return c.encode(opCodec, op)
}

/** Decodes a log entry; throws `BAD_MESSAGE` for bytes that are not one. */
export function decodeOp(bytes: Uint8Array): Op {
  try {
    const state = c.state(0, bytes.byteLength, bytes)
    const op = opCodec.decode(state)
    if (state.start !== state.end) throw badOp('trailing bytes')
    return op
  } catch (err) {
    if (err instanceof DatSdkError) throw err
    throw badOp(err instanceof Error ? err.message : String(err))
  }
}

/** A log entry as `apply` reads it: null for an ack or for bytes that are not an entry of ours. */
export function readOp(value: Uint8Array | null): Op | null {
  if (!value) return null // an ack
  try {
    return decodeOp(value)
  } catch {
    return null // not an entry of ours: every peer skips it alike
  }
}

/**
 * blind-pairing's two channel messages (as blind-pairing-core 2 encodes them), checked before
 * blind-pairing sees them: a request is an invite id, then the candidate's session and sealed
 * data; a response is a request id and the sealed answer.
 */
export const pairingRequest: Encoder<{
  inviteId: Uint8Array
  session: Uint8Array | null
  data: Uint8Array | null
}> = {
  preencode(state, m) {
    c.fixed32.preencode(state, m.inviteId)
    c.optionalBuffer.preencode(state, m.session)
    c.optionalBuffer.preencode(state, m.data)
  },
  encode(state, m) {
    c.fixed32.encode(state, m.inviteId)
    c.optionalBuffer.encode(state, m.session)
    c.optionalBuffer.encode(state, m.data)
  },
  decode(state) {
    return {
      inviteId: c.fixed32.decode(state),
      session: c.optionalBuffer.decode(state),
      data: c.optionalBuffer.decode(state),
    }
  },
}

export const pairingResponse: Encoder<{ id: Uint8Array; payload: Uint8Array | null }> = {
  preencode(state, m) {
    c.fixed32.preencode(state, m.id)
    c.optionalBuffer.preencode(state, m.payload)
  },
  encode(state, m) {
    c.fixed32.encode(state, m.id)
    c.optionalBuffer.encode(state, m.payload)
  },
  decode(state) {
    return { id: c.fixed32.decode(state), payload: c.optionalBuffer.decode(state) }
  },
}

/**
 * Checks one blind-pairing channel message (`type` 0: request, 1: response), framed as
 * blind-pairing frames it (a length-prefixed buffer), and returns its payload; throws `BAD_MESSAGE`.
 */
export function checkPairingMessage(type: number, framed: Uint8Array): Uint8Array {
  try {
    const state = c.state(0, framed.byteLength, framed)
    const payload = c.buffer.decode(state)
    if (!payload || state.start !== state.end) throw new Error('bad framing')
    const inner = c.state(0, payload.byteLength, payload)
    if (type === 0) pairingRequest.decode(inner)
    else pairingResponse.decode(inner)
    if (inner.start !== inner.end) throw new Error('trailing bytes')
    return payload
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    throw new DatSdkError('BAD_MESSAGE', `Bad pairing message: ${why}`, { cause: err })
  }
}
