// The seed record as it is kept on disk: one compact-encoding struct per seeded part, in the
// seeding namespace's Hyperbee (records.ts). Versioned, so a later record can add fields.
import c, { type Encoder, type State } from 'compact-encoding'
import { DatSdkError } from '@dat-sdk/store'

/** What a seed is of: a hypercore, a hyperdrive (db and blobs), a hyperbee, or an Autobase. */
export type SeedKind = 'core' | 'drive' | 'bee' | 'autobase'

/** The kinds of part that can be seeded. */
export const SEED_KINDS: readonly SeedKind[] = ['core', 'drive', 'bee', 'autobase']

/** What `createSDK()` needs to seed a part again after a restart. */
export interface SeedRecord {
  /** What kind of part it is. */
  kind: SeedKind
  /** The part's key. */
  key: Uint8Array
  /** The key of an encrypted part: kept here, in local storage, and nowhere else. */
  encryptionKey: Uint8Array | null
  /** The blind peers asked to keep it; null: the SDK's own list, as it is at each start. */
  blindPeers: Uint8Array[] | null
  /** Keep a full local copy (download every block, now and later). */
  download: boolean
}

const VERSION = 1
const MAX_BLIND_PEERS = 64
const HAS_ENCRYPTION_KEY = 1
const HAS_BLIND_PEERS = 2
const DOWNLOAD = 4
const KNOWN_FLAGS = HAS_ENCRYPTION_KEY | HAS_BLIND_PEERS | DOWNLOAD

/** The compact-encoding codec of a seed record. */
export const seedRecord: Encoder<SeedRecord> = {
  preencode(state: State, r: SeedRecord): void {
    c.uint.preencode(state, VERSION)
    c.uint.preencode(state, 0) // flags
    c.uint.preencode(state, SEED_KINDS.indexOf(r.kind))
    c.fixed32.preencode(state, r.key)
    if (r.encryptionKey) c.fixed32.preencode(state, r.encryptionKey)
    if (r.blindPeers) c.array(c.fixed32).preencode(state, r.blindPeers)
  },
  encode(state: State, r: SeedRecord): void {
    c.uint.encode(state, VERSION)
    c.uint.encode(
      state,
      (r.encryptionKey ? HAS_ENCRYPTION_KEY : 0) |
        (r.blindPeers ? HAS_BLIND_PEERS : 0) |
        (r.download ? DOWNLOAD : 0),
    )
    c.uint.encode(state, SEED_KINDS.indexOf(r.kind))
    c.fixed32.encode(state, r.key)
    if (r.encryptionKey) c.fixed32.encode(state, r.encryptionKey)
    if (r.blindPeers) c.array(c.fixed32).encode(state, r.blindPeers)
  },
  decode(state: State): SeedRecord {
    const version = c.uint.decode(state)
    if (version !== VERSION) throw new Error(`unknown seed record version ${version}`)
    const flags = c.uint.decode(state)
    if ((flags & ~KNOWN_FLAGS) !== 0) throw new Error('unknown seed record flags')
    const kind = SEED_KINDS[c.uint.decode(state)]
    if (!kind) throw new Error('unknown seed kind')
    const key = c.fixed32.decode(state)
    const encryptionKey = flags & HAS_ENCRYPTION_KEY ? c.fixed32.decode(state) : null
    let blindPeers: Uint8Array[] | null = null
    if (flags & HAS_BLIND_PEERS) {
      const n = c.uint.decode(state)
      if (n > MAX_BLIND_PEERS) throw new Error('too many blind peers')
      blindPeers = []
      for (let i = 0; i < n; i++) blindPeers.push(c.fixed32.decode(state))
    }
    return { kind, key, encryptionKey, blindPeers, download: (flags & DOWNLOAD) !== 0 }
  },
}

/** Encodes a seed record for storage. */
export function encodeRecord(record: SeedRecord): Uint8Array {
  return c.encode(seedRecord, record)
}

/** Decodes a stored record; anything else is `BAD_MESSAGE` (never a crash at start-up). */
export function decodeRecord(bytes: Uint8Array): SeedRecord {
  try {
    const state = c.state(0, bytes.byteLength, bytes)
    const record = seedRecord.decode(state)
    if (state.start !== state.end) throw new Error('trailing bytes')
    return record
  } catch (err) {
    throw new DatSdkError('BAD_MESSAGE', 'A seed record does not decode', { cause: err })
  }
}
