// The seed records: a Hyperbee in the store's seeding namespace (layout.seeding), one entry per
// seeded part, keyed by the part's key. It is how `createSDK()` on the same storage knows what to
// seed again. The records hold encryption keys, so the core is itself encrypted, with a key
// derived from the store's primary key: a peer that somehow learned its discovery key would
// replicate ciphertext only. It is never announced.
import b4a from 'b4a'
import Hyperbee from 'hyperbee'
import crypto from 'hypercore-crypto'
import ReadyResource from 'ready-resource'
import { DatSdkError, closedError, layout, toHex, type Hypercore, type Store } from '@dat-sdk/store'
import { decodeRecord, encodeRecord, type SeedRecord } from './messages.js'

/** The local record of what this peer seeds, so that a restart seeds it again. */
export class SeedRecords extends ReadyResource {
  private readonly _store: Store
  private _ns: Store | null = null
  /**
   * The records core, open as long as the records are: each bee is made on a session of it, so
   * the core stays open between two bees instead of closing and opening again with each.
   */
  private _core: Hypercore<unknown> | null = null
  /**
   * The records bee, open while some call uses it (see `_use()`): Hyperbee keeps each node it
   * reads or writes in its cache for as long as it is open, and a seeder that recorded 1,000
   * parts held about 1.8 KiB of them for each. Records are read on a restart and written when a
   * part is seeded or unseeded, not in between.
   */
  private _bee: Hyperbee<Uint8Array, Uint8Array> | null = null
  /** How many calls are using `_bee` now. */
  private _users = 0
  /** The bee closing now (the last call using it returned), if any. */
  private _closingBee: Promise<void> | null = null
  /** Records put and not yet written, and the write they go into. */
  private _queue: Array<[Uint8Array, Uint8Array]> = []
  private _next: Promise<void> | null = null
  /** The last write (settled, never rejecting): the next one starts after it. */
  private _writing: Promise<void> = Promise.resolve()
  /** Called with each stored record that does not decode (it is skipped, never a crash). */
  private readonly _onbad: (err: DatSdkError) => void
  /** Calls of put, delete, get and list under way: `close()` lets them finish first. */
  private _calls = 0
  /** Resolves `close()`'s wait once the last call under way finished. */
  private _drained: (() => void) | null = null

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
    this._core = ns.get({ name: layout.seedRecords }, key ? { encryption: { key } } : {})
    // Opened once here, so that a store that cannot hold the records fails createSDK() at once.
    await this._use(async () => {})
  }

  protected override async _close(): Promise<void> {
    // A call made before close() gets its answer: a put is written (a part seeded just before
    // the SDK closed is seeded again after a restart), a read reads, instead of failing with
    // the bee's SESSION_CLOSED halfway.
    if (this._calls > 0) await new Promise<void>((resolve) => (this._drained = resolve))
    const bee = this._bee
    this._bee = null
    await bee?.close().catch(noop)
    await this._closingBee
    await this._core?.close().catch(noop)
    await this._ns?.close().catch(noop)
  }

  /** One call of the API, once the records are open; rejects with `CLOSED` once closing. */
  private async _call<R>(fn: () => Promise<R>): Promise<R> {
    if (this.closing) throw closedError('seed record store')
    this._calls++
    try {
      await this.ready()
      return await fn()
    } finally {
      if (--this._calls === 0) this._drained?.()
    }
  }

  /** Runs `fn` on the records bee, opening it if no other call has it open; closes it after. */
  private async _use<R>(fn: (db: Hyperbee<Uint8Array, Uint8Array>) => Promise<R>): Promise<R> {
    const core = this._core
    if (!core || this.closed) throw closedError('seed record store')
    this._users++
    try {
      // One bee at a time: a call that comes while the last one's bee closes waits for that.
      while (this._closingBee) await this._closingBee
      const bee = (this._bee ??= new Hyperbee<Uint8Array, Uint8Array>(core.session(), {
        keyEncoding: 'binary',
        valueEncoding: 'binary',
      }))
      await bee.ready()
      return await fn(bee)
    } finally {
      if (--this._users === 0 && this._bee) {
        const closing = this._bee.close().catch(noop)
        this._bee = null
        this._closingBee = closing
        await closing
        if (this._closingBee === closing) this._closingBee = null
      }
    }
  }

  /**
   * Stores a seed record; rejects with `CLOSED` once closed. Records put while a write is under
   * way go into the next write together, as one batch: one append of the records core for a
   * thousand parts seeded at once, not a thousand.
   */
  put(record: SeedRecord): Promise<void> {
    return this._call(() => {
      this._queue.push([record.key, encodeRecord(record)])
      if (!this._next) {
        const next = this._writing.then(() => this._write())
        this._next = next
        this._writing = next.catch(noop)
      }
      return this._next
    })
  }

  /** Writes the records queued so far, as one batch. */
  private _write(): Promise<void> {
    return this._use(async (db) => {
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
    })
  }

  /** Deletes the record for `key`, true if there was one; rejects with `CLOSED` once closed. */
  delete(key: Uint8Array): Promise<boolean> {
    return this._call(async () => {
      // After the puts made before it (each queued once the records are open, as this waited),
      // so a record put and then deleted stays deleted.
      await this._writing
      return this._use(async (db) => {
        const had = (await db.get(key)) !== null
        if (had) await db.del(key)
        return had
      })
    })
  }

  /**
   * The record for `key`, the puts made before this included, or null; rejects with `CLOSED` once
   * closed.
   */
  get(key: Uint8Array): Promise<SeedRecord | null> {
    return this._call(async () => {
      await this._writing
      const entry = await this._use((db) => db.get(key))
      return entry ? this._decode(entry.key, entry.value) : null
    })
  }

  /**
   * Every record, by key, the puts made before this included; one that does not decode is
   * reported and skipped.
   */
  list(): Promise<SeedRecord[]> {
    return this._call(async () => {
      await this._writing
      return this._use(async (db) => {
        const out: SeedRecord[] = []
        for await (const entry of db.createReadStream()) {
          const record = this._decode(entry.key, entry.value)
          if (record) out.push(record)
        }
        return out
      })
    })
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
