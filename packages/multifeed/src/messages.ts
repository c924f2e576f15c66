// The multifeed wire: one protomux channel per connection and root key, whose open carries a
// Handshake and whose messages are Manifest, Request, Answer and Done, each a compact-encoding
// codec. Everything here is decoded from remote bytes: `decode()` validates and throws only
// `BAD_MESSAGE`; the caller reports that and carries on.
import { createHmac, timingSafeEqual } from 'crypto'
import b4a from 'b4a'
import c, { type Encoder, type State } from 'compact-encoding'
import crypto from 'hypercore-crypto'
import { DatSdkError, asBadMessage } from '@dat-sdk/store'

/** The protomux protocol name of the exchange. */
export const PROTOCOL = 'dat-sdk/multifeed'
/** Told to the remote in the handshake; a different client is `ERR_CLIENT_MISMATCH`. */
export const CLIENT = 'MULTIFEED'
/** The wire version (semver): only the major version must match. */
export const PROTOCOL_VERSION = '1.0.0'

/**
 * The root key used when none is given: public, so every multifeed without a key of its own can
 * exchange with every other (the original multifeed's well-known key, kept for continuity).
 */
export const DEFAULT_ROOT_KEY = b4a.from(
  'bee80ff3a4ee5e727dc44197cb9d25bf8f19d50b0f3ad2984cfe5b7d14e75de7',
  'hex',
)

const MAX_CLIENT = 64
const MAX_VERSION = 32
const MAX_USER_DATA = 64 * 1024
const KEY_BYTES = 32
// compact-encoding 3.5's `buffer` cannot encode null (its declaration says it can): no userData
// travels as zero bytes and decodes back to null.
const EMPTY = new Uint8Array(0)
const CAP_NS = b4a.from('dat-sdk/multifeed capability v1', 'utf-8')

export interface Handshake {
  client: string
  version: string
  userData: Uint8Array | null
  /** Proof that the sender holds the root key, bound to this connection (see `capability()`). */
  capability: Uint8Array
}

export interface ManifestEntry {
  key: Uint8Array
  /** How many blocks, from the start, the sender holds and can serve. */
  length: number
}

export interface Manifest {
  feeds: ManifestEntry[]
}

/** The keys the sender wants from the receiver's manifest. */
export interface Request {
  keys: Uint8Array[]
}

/** The requested keys the sender will replicate (those it has): the rest are refused. */
export interface Answer {
  keys: Uint8Array[]
}

/** The sender holds every block of every feed of the first exchange. */
export interface Done {
  /** How many feeds the sender took from the exchange (informational). */
  feeds: number
}

function bad(why: string): DatSdkError {
  return new DatSdkError('BAD_MESSAGE', `Malformed multifeed message: ${why}`)
}

function remaining(state: State): number {
  return state.end - state.start
}

function decodeCount(state: State, entryBytes: number, what: string): number {
  const n = c.uint.decode(state)
  // Refuse a count the rest of the message cannot hold before allocating anything for it.
  if (n * entryBytes > remaining(state))
    throw bad(`${what} claims ${n} entries, too many for its size`)
  return n
}

/** A UTF-8 string of at most `max` characters; a longer one is `BAD_MESSAGE`. */
function boundedString(max: number, what: string): Encoder<string> {
  const { preencode, encode } = c.string
  const decode = (state: State): string => {
    const s = c.string.decode(state)
    if (s.length > max) throw bad(`${what} is longer than ${max} characters`)
    return s
  }
  return { preencode, encode, decode }
}

const clientString = boundedString(MAX_CLIENT, 'client')
const versionString = boundedString(MAX_VERSION, 'version')

const keyList: Encoder<Uint8Array[]> = {
  preencode(state, keys) {
    c.uint.preencode(state, keys.length)
    state.end += keys.length * KEY_BYTES
  },
  encode(state, keys) {
    c.uint.encode(state, keys.length)
    for (const key of keys) c.fixed32.encode(state, key)
  },
  decode(state) {
    const n = decodeCount(state, KEY_BYTES, 'key list')
    const keys: Uint8Array[] = new Array(n)
    for (let i = 0; i < n; i++) keys[i] = c.fixed32.decode(state)
    return keys
  },
}

export const HandshakeCodec: Encoder<Handshake> = {
  preencode(state, m) {
    clientString.preencode(state, m.client)
    versionString.preencode(state, m.version)
    c.buffer.preencode(state, m.userData ?? EMPTY)
    c.fixed32.preencode(state, m.capability)
  },
  encode(state, m) {
    clientString.encode(state, m.client)
    versionString.encode(state, m.version)
    c.buffer.encode(state, m.userData ?? EMPTY)
    c.fixed32.encode(state, m.capability)
  },
  decode(state) {
    const client = clientString.decode(state)
    const version = versionString.decode(state)
    if (parseMajor(version) === null) throw bad(`version ${JSON.stringify(version)} is not semver`)
    const userData = c.buffer.decode(state)
    if (userData && userData.byteLength > MAX_USER_DATA) throw bad('userData is too large')
    const capability = c.fixed32.decode(state)
    return {
      client,
      version,
      userData: userData && userData.byteLength ? userData : null,
      capability,
    }
  },
}

export const ManifestCodec: Encoder<Manifest> = {
  preencode(state, m) {
    c.uint.preencode(state, m.feeds.length)
    for (const f of m.feeds) {
      c.fixed32.preencode(state, f.key)
      c.uint.preencode(state, f.length)
    }
  },
  encode(state, m) {
    c.uint.encode(state, m.feeds.length)
    for (const f of m.feeds) {
      c.fixed32.encode(state, f.key)
      c.uint.encode(state, f.length)
    }
  },
  decode(state) {
    const n = decodeCount(state, KEY_BYTES + 1, 'manifest')
    const feeds: ManifestEntry[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const key = c.fixed32.decode(state)
      const length = c.uint.decode(state)
      if (!Number.isSafeInteger(length)) throw bad('a feed length is out of range')
      feeds[i] = { key, length }
    }
    return { feeds }
  },
}

export const RequestCodec: Encoder<Request> = {
  preencode(state, m) {
    keyList.preencode(state, m.keys)
  },
  encode(state, m) {
    keyList.encode(state, m.keys)
  },
  decode(state) {
    return { keys: keyList.decode(state) }
  },
}

export const AnswerCodec: Encoder<Answer> = RequestCodec

export const DoneCodec: Encoder<Done> = {
  preencode(state, m) {
    c.uint.preencode(state, m.feeds)
  },
  encode(state, m) {
    c.uint.encode(state, m.feeds)
  },
  decode(state) {
    const feeds = c.uint.decode(state)
    if (!Number.isSafeInteger(feeds)) throw bad('a count is out of range')
    return { feeds }
  },
}

export function encode<M>(codec: Encoder<M>, message: M): Uint8Array {
  return c.encode(codec, message)
}

/**
 * Decodes remote bytes. Bytes after the known fields are ignored, so a later minor version can
 * add fields; anything else wrong (truncated, oversized, out of range) throws `BAD_MESSAGE`.
 */
export function decode<M>(codec: Encoder<M>, bytes: Uint8Array): M {
  if (!(bytes instanceof Uint8Array)) throw bad('not bytes')
  try {
    return codec.decode(c.state(0, bytes.byteLength, bytes))
  } catch (err) {
    throw asBadMessage(err, 'Decoding a multifeed message')
  }
}

/** The major version of a semver string, or null when it is not one. */
export function parseMajor(version: string): number | null {
  const m = /^(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:[-+][0-9A-Za-z.+-]*)?$/.exec(version)
  return m ? Number(m[1]) : null
}

/**
 * The protomux channel id for a root key: its discovery key. Peers with different root keys
 * never pair channels, and the root key itself never travels.
 */
export function channelId(rootKey: Uint8Array): Uint8Array {
  return crypto.discoveryKey(rootKey)
}

/**
 * Proof of the root key for one side of one connection: a keyed hash of the Noise handshake
 * hash (unique per connection, so it cannot be replayed elsewhere) and the side's role.
 */
export function capability(
  rootKey: Uint8Array,
  isInitiator: boolean,
  handshakeHash: Uint8Array,
): Uint8Array {
  const hmac = createHmac('sha256', rootKey)
  hmac.update(CAP_NS)
  hmac.update(isInitiator ? INITIATOR : RESPONDER)
  hmac.update(handshakeHash)
  return new Uint8Array(hmac.digest())
}

const INITIATOR = b4a.from([1])
const RESPONDER = b4a.from([0])

export function verifyCapability(
  rootKey: Uint8Array,
  remoteIsInitiator: boolean,
  handshakeHash: Uint8Array,
  cap: Uint8Array,
): boolean {
  const expected = capability(rootKey, remoteIsInitiator, handshakeHash)
  return cap.byteLength === expected.byteLength && timingSafeEqual(cap, expected)
}
