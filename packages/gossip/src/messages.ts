import { GossipError } from './errors.js'

/**
 * The `dat-gossip@1` wire message: UTF-8 JSON `{ "keys": [hex, ...] }`, where each key is 64 hex
 * characters (32 bytes). Deletions travel in an extra `"deleted": [hex, ...]` field that peers
 * running the published `dat-gossip@1.0.0` ignore.
 */
export interface GossipMessage {
  keys: string[]
  deleted: string[]
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/

/** The bytes of one key in a message: the 64 hex characters, two quotes and a comma. */
export const BYTES_PER_KEY = 67

/** `{"keys":[],"deleted":[]}`: what a message costs beyond its keys, at most. */
export const MESSAGE_OVERHEAD = 24

/** Lower-case 64-char hex, or null when `value` is not a well-formed key string. */
export function normalizeKey(value: unknown): string | null {
  if (typeof value !== 'string' || !HEX_KEY.test(value)) return null
  return value.toLowerCase()
}

/**
 * Encodes one message. Keys are hex strings (validated by the caller), so no escaping is needed;
 * `deleted` is left out when empty, which is exactly what `dat-gossip@1.0.0` sends.
 */
export function encodeMessage(message: GossipMessage): Uint8Array {
  let json = '{"keys":[' + quoteAll(message.keys) + ']'
  if (message.deleted.length > 0) json += ',"deleted":[' + quoteAll(message.deleted) + ']'
  json += '}'
  return Buffer.from(json, 'latin1')
}

/** The encoded size of a message with these keys, without building it. */
export function encodedLength(keys: number, deleted: number): number {
  let n = 11 + listLength(keys) // {"keys":[...]}
  if (deleted > 0) n += 13 + listLength(deleted) // ,"deleted":[...]
  return n
}

/**
 * Splits keys and deletions into messages of at most `maxBytes` each (a peer with the same limit
 * accepts every one of them). Deletions go first: they must reach a peer before a key it might
 * otherwise keep.
 */
export function encodeChunks(keys: string[], deleted: string[], maxBytes: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let k = 0
  let d = 0
  while (k < keys.length || d < deleted.length || out.length === 0) {
    let dn = 0
    while (d + dn < deleted.length && encodedLength(0, dn + 1) <= maxBytes) dn++
    let kn = 0
    while (k + kn < keys.length && encodedLength(kn + 1, dn) <= maxBytes) kn++
    out.push(encodeMessage({ keys: keys.slice(k, k + kn), deleted: deleted.slice(d, d + dn) }))
    k += kn
    d += dn
    if (kn === 0 && dn === 0) break // nothing fits (cannot happen above the minimum limit)
  }
  return out
}

/**
 * Decodes and validates a message from a peer. Throws `MESSAGE_TOO_LARGE` for more than
 * `maxBytes` bytes, and `BAD_MESSAGE` for anything but UTF-8 JSON of an object whose `keys` is an
 * array of 64-hex-char strings and whose `deleted`, when present, is one too. Keys come back
 * lower-cased. Never throws anything else.
 */
export function decodeMessage(bytes: Uint8Array, maxBytes = Infinity): GossipMessage {
  if (!(bytes instanceof Uint8Array)) throw bad('the message is not bytes')
  if (bytes.byteLength > maxBytes) {
    throw new GossipError(
      'MESSAGE_TOO_LARGE',
      `A gossip message of ${bytes.byteLength} bytes is over the limit of ${maxBytes}`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(strictUtf8(bytes))
  } catch (err) {
    throw bad('the message is not UTF-8 JSON', err)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw bad('the message is not a JSON object')
  }
  const { keys, deleted } = parsed as { keys?: unknown; deleted?: unknown }
  return {
    keys: keyList(keys, 'keys'),
    deleted: deleted === undefined ? [] : keyList(deleted, 'deleted'),
  }
}

function keyList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw bad(`"${field}" is not an array`)
  const out: string[] = new Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const key = normalizeKey(value[i])
    if (key === null) throw bad(`"${field}"[${i}] is not a 64-character hex key`)
    out[i] = key
  }
  return out
}

function listLength(n: number): number {
  return n === 0 ? 0 : n * BYTES_PER_KEY - 1
}

function quoteAll(keys: string[]): string {
  return keys.length === 0 ? '' : '"' + keys.join('","') + '"'
}

function bad(why: string, cause?: unknown): GossipError {
  return new GossipError('BAD_MESSAGE', `Bad gossip message: ${why}`, { cause })
}

/**
 * Gossip's one `BAD_MESSAGE` wrapper: whatever went wrong with a peer's message, as a
 * `GossipError` (one that is already a `GossipError`, such as `MESSAGE_TOO_LARGE`, passes through).
 * The rest of the SDK uses `asBadMessage` from `@dat-sdk/store`; gossip keeps its own because it
 * has no runtime dependency on store (it runs over a raw hypercore as well as a `Core`), and its
 * errors carry the SDK's codes, so `isDatSdkError()` recognises them all the same.
 */
export function asBadMessage(cause: unknown): GossipError {
  if (cause instanceof GossipError) return cause
  return bad(cause instanceof Error ? cause.message : String(cause), cause)
}

// Node's TextDecoder refuses bytes that are not UTF-8 (`fatal`); Bare has none, so there the
// check is a round trip.
const fatalUtf8 =
  typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { fatal: true }) : null

/** The bytes as UTF-8 text, refusing bytes that are not UTF-8 (throws). */
function strictUtf8(bytes: Uint8Array): string {
  if (fatalUtf8) return fatalUtf8.decode(bytes)
  // Decoding replaces bytes that are not UTF-8, so the text would not encode back to the same bytes.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = buffer.toString('utf-8')
  if (!Buffer.from(text, 'utf-8').equals(buffer)) throw new RangeError('the bytes are not UTF-8')
  return text
}
