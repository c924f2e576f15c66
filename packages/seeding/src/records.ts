// The seed records: a Hyperbee in the store's seeding namespace (layout.seeding), one entry per
// seeded part, keyed by the part's key. It is how `createSDK()` on the same storage knows what to
// seed again. The records hold encryption keys, so the core is itself encrypted, with a key
// derived from the store's primary key: a peer that somehow learned its discovery key would
// replicate ciphertext only. It is never announced.
import b4a from 'b4a'
import Hyperbee from 'hyperbee'
import crypto from 'hypercore-crypto'
import ReadyResource from 'ready-resource'
import { DatSdkError, closedError, layout, toHex, type Store } from '@dat-sdk/store'
import { decodeRecord, encodeRecord, type SeedRecord } from './messages.js'

/** The local record of what this peer seeds, so that a restart seeds it again. */
export class SeedRecords extends ReadyResource {
  private readonly _store: Store
  private _ns: Store | null = null
  private _bee: Hyperbee<Uint8Array, Uint8Array> | null = null
  /** Records put and not yet written, and the write they go into. */
  private _queue: Array<[Uint8Array, Uint8Array]> = []
  private _next: Promise<void> | null = null
  /** The last write (settled, never rejecting): the next one starts after it. */
  private _writing: Promise<void> = Promise.resolve()
  /** Called with each stored record that does not decode (it is skipped, never a crash). */
  private readonly _onbad: (err: DatSdkError) => void

  constructor(store: Store, onbad: (err: DatSdkError) => void = noop) {
    super()
    this._store = store
    this._onbad = onbad
  }

  protected override async _open(): Promise<void> {
    await this._store.ready()
    const ns = this._store.namespace(layout.seeding)
    this._ns = ns
    await ns.ready()
    const primaryKey = ns.corestore.primaryKey
    const key = primaryKey ? crypto.hash([primaryKey, RECORDS_KEY_CONTEXT]) : null
    const core = ns.get({ name: layout.seedRecords }, key ? { encryption: { key } } : {})
    this._bee = new Hyperbee<Uint8Array, Uint8Array>(core, {
      keyEncoding: 'binary',
      valueEncoding: 'binary',
    })
    await this._bee.ready()
  }

  protected override async _close(): Promise<void> {
    await this._bee?.close().catch(noop)
    await this._ns?.close().catch(noop)
  }

  private async _db(): Promise<Hyperbee<Uint8Array, Uint8Array>> {
    if (this.closing) throw closedError('seed record store')
    await this.ready()
    return this._bee!
  }

  /**
   * Stores a seed record; rejects with `CLOSED` once closed. Records put while a write is under
   * way go into the next write together, as one batch: one append of the records core for a
   * thousand parts seeded at once, not a thousand.
   */
  async put(record: SeedRecord): Promise<void> {
    const db = await this._db()
    this._queue.push([record.key, encodeRecord(record)])
    if (!this._next) {
      const next = this._writing.then(() => this._write(db))
      this._next = next
      this._writing = next.catch(noop)
    }
    return this._next
  }

  /** Writes the records queued so far, as one batch. */
  private async _write(db: Hyperbee<Uint8Array, Uint8Array>): Promise<void> {
    const entries = this._queue
    this._queue = []
    this._next = null
    const batch = db.batch()
    try {
      for (const [key, value] of entries) await batch.put(key, value)
      await batch.flush()
    } finally {
      await batch.close().catch(noop)
    }
  }

  /** Deletes the record for `key`, true if there was one; rejects with `CLOSED` once closed. */
  async delete(key: Uint8Array): Promise<boolean> {
    const db = await this._db()
    // After the puts made before it, so a record put and then deleted stays deleted.
    await this._writing
    const had = (await db.get(key)) !== null
    if (had) await db.del(key)
    return had
  }

  /** The record for `key`, or null; rejects with `CLOSED` once closed. */
  async get(key: Uint8Array): Promise<SeedRecord | null> {
    const entry = await (await this._db()).get(key)
    return entry ? this._decode(entry.key, entry.value) : null
  }

  /** Every record, by key; one that does not decode is reported and skipped. */
  async list(): Promise<SeedRecord[]> {
    const out: SeedRecord[] = []
    for await (const entry of (await this._db()).createReadStream()) {
      const record = this._decode(entry.key, entry.value)
      if (record) out.push(record)
    }
    return out
  }

  private _decode(key: Uint8Array, value: Uint8Array): SeedRecord | null {
    try {
      return decodeRecord(value)
    } catch (err) {
      const message = `The seed record of ${toHex(key)} does not decode`
      this._onbad(new DatSdkError('BAD_MESSAGE', message, { cause: err }))
      return null
    }
  }
}

const RECORDS_KEY_CONTEXT = b4a.from('dat-sdk/seed-records@1')

function noop(): void {}
