import b4a from 'b4a'
import c, { type Encoder, type State } from 'compact-encoding'
import { DatSdkError } from './errors.js'

/**
 * The SDK's per-core control protocol: the protomux protocol of the `ready.ts` channel, and the
 * name of the older control extension of the same name (core-wrapper) that carries the same
 * message. It tells a peer which extension names one core handles on this side.
 */
export const READY_PROTOCOL = 'dat-sdk/ready@1'

/** Longest extension name we accept from a peer, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 256
/** Most names one announcement may carry. */
export const MAX_NAMES = 256

/**
 * "I handle these extension names on this core." `heard` matters only on the older extension
 * path, where an announcement can be dropped: it says whether the sender had already received an
 * announcement from us, and a peer that has not heard from us gets ours in reply. On the protomux
 * channel nothing is dropped, so it is sent set and ignored.
 */
export interface ReadyMessage {
  /** Whether the sender had already received our announcement (used on the older extension path only). */
  heard: boolean
  /** The extension names the sender handles on this core. */
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

/** Encodes a ready message for the wire. */
export function encodeReady(m: ReadyMessage): Uint8Array {
  return c.encode(readyMessage, m)
}

/** Decodes and validates an announcement from a peer; anything malformed is `BAD_MESSAGE`. */
export function decodeReady(bytes: Uint8Array): ReadyMessage {
  let m: ReadyMessage
  try {
    m = c.decode(readyMessage, bytes)
  } catch (err) {
    throw new DatSdkError('BAD_MESSAGE', `Malformed ${READY_PROTOCOL} message`, { cause: err })
  }
  if (m.names.length > MAX_NAMES) {
    throw new DatSdkError(
      'BAD_MESSAGE',
      `A ${READY_PROTOCOL} message lists over ${MAX_NAMES} names`,
    )
  }
  for (const name of m.names) {
    if (name.length === 0 || b4a.byteLength(name) > MAX_NAME_BYTES) {
      throw new DatSdkError('BAD_MESSAGE', `A ${READY_PROTOCOL} message has a bad extension name`)
    }
  }
  return m
}
