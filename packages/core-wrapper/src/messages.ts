import b4a from 'b4a'
import c, { type Encoder, type State } from 'compact-encoding'
import { DatSdkError } from '@dat-sdk/store'

/**
 * The name of the control extension two `Core`s use to tell each other which extension names
 * they handle. A raw hypercore ignores extension messages whose name it has not registered, so a
 * peer that does not speak it is unaffected.
 */
export const READY_EXTENSION = 'dat-sdk/ready@1'

/** Longest extension name we accept from a peer, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 256
/** Most names one announcement may carry. */
export const MAX_NAMES = 256

/**
 * "I handle these extension names on this core." `heard` says whether the sender had already
 * received an announcement from us when it sent this one; a peer that has not heard from us
 * gets our announcement in reply (ours may have reached it before it was listening).
 */
export interface ReadyMessage {
  heard: boolean
  names: string[]
}

const FLAG_HEARD = 1

const names = c.array(c.string)

/**
 * Wire form: `uint flags` (bit 0: heard), then `array(string)` of names. Trailing bytes are
 * ignored so that a later version can append fields.
 */
export const readyMessage: Encoder<ReadyMessage> = {
  preencode(state: State, m: ReadyMessage) {
    c.uint.preencode(state, m.heard ? FLAG_HEARD : 0)
    names.preencode(state, m.names)
  },
  encode(state: State, m: ReadyMessage) {
    c.uint.encode(state, m.heard ? FLAG_HEARD : 0)
    names.encode(state, m.names)
  },
  decode(state: State): ReadyMessage {
    const flags = c.uint.decode(state)
    const list = names.decode(state)
    return { heard: (flags & FLAG_HEARD) !== 0, names: list }
  },
}

export function encodeReady(m: ReadyMessage): Uint8Array {
  return c.encode(readyMessage, m)
}

/** Decodes and validates an announcement from a peer; anything malformed is `BAD_MESSAGE`. */
export function decodeReady(bytes: Uint8Array): ReadyMessage {
  let m: ReadyMessage
  try {
    m = c.decode(readyMessage, bytes)
  } catch (err) {
    throw new DatSdkError('BAD_MESSAGE', `Malformed ${READY_EXTENSION} message`, { cause: err })
  }
  if (m.names.length > MAX_NAMES) {
    throw new DatSdkError(
      'BAD_MESSAGE',
      `A ${READY_EXTENSION} message lists over ${MAX_NAMES} names`,
    )
  }
  for (const name of m.names) {
    if (name.length === 0 || b4a.byteLength(name) > MAX_NAME_BYTES) {
      throw new DatSdkError('BAD_MESSAGE', `A ${READY_EXTENSION} message has a bad extension name`)
    }
  }
  return m
}
