import fs from 'fs'
import type { Duplex } from 'node:stream'
import b4a from 'b4a'
import Corestore from 'corestore'
import Hypercore from 'hypercore'
import type { HypercoreOptions } from 'hypercore'
import crypto from 'hypercore-crypto'
import type { Listener, StoreEvents as SeamStoreEvents } from '@dat-sdk/interfaces'
import ReadyResource from 'ready-resource'
import { DatSdkError, closedError } from './errors.js'
import { parseRef, toKey, type KeyLike } from './keys.js'
import { derivedKey } from './names.js'
import { ReadyLink, muxOf } from './ready.js'
import { isCorestore } from './shapes.js'
import { defaultStorageDir, isLockError, makeTempDir } from './storage.js'

/** The key of `namespace()`'s own constructor path: not exported, so only `namespace()` takes it. */
const CHILD = Symbol('dat-sdk/store-child')

/**
 * How many bytes of written blocks RocksDB holds in memory before flushing them to disk. A quarter
 * of hypercore-storage's 64 MiB: a large download (each block is written once and rarely read back
 * soon) then peaks about 55 MiB lower, at no measured cost in speed (bench/README.md).
 */
export const DEFAULT_WRITE_BUFFER_SIZE = 16 * 1024 * 1024

/** Options for a Store: where it keeps data, and what it is given. */
export interface StoreOptions {
  /** The primary key from which named cores derive their key pairs (the store's own by default). */
  primaryKey?: Uint8Array
  /**
   * Bytes of written blocks held in memory before they are flushed to disk (RocksDB's memtable).
   * Default {@link DEFAULT_WRITE_BUFFER_SIZE} (16 MiB). A TypeError with a Corestore handed in,
   * whose storage is already open.
   */
  writeBufferSize?: number
  /** @internal How `namespace()` hands its child the parent and the namespaced Corestore. */
  [CHILD]?: { parent: Store; corestore: Corestore }
}

/**
 * What `Store.get()` accepts: a name or key in any spelling, or either one spelled out. The key
 * may be a promise (a key still being resolved, e.g. from DNS): the core opens once it settles.
 */
export type CoreRef =
  KeyLike | { name: string } | { key: KeyLike | Promise<KeyLike> } | null | undefined

/** A core the store has written to its list of known cores. */
export interface StoredCore {
  /** The core's public key. */
  key: Uint8Array
  /** The core's discovery key, the topic peers meet on. */
  discoveryKey: Uint8Array
}

interface Entry {
  id: string
  sessions: Map<Hypercore<unknown>, Store>
  announced: boolean
}

interface Shared {
  registry: Map<string, Entry>
}

/** A Store's events: `'core'` when a core opens through it, `'core-close'` when its last session closes. */
export type StoreEvents = SeamStoreEvents<Hypercore<unknown>>

// Typed events (`StoreEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Store {
  /** Listens for a store event (`'core'`, `'core-close'`, `'ready'`, `'close'`). */
  on<K extends keyof StoreEvents>(event: K, listener: Listener<StoreEvents, K>): this
  /** Listens for a store event once. */
  once<K extends keyof StoreEvents>(event: K, listener: Listener<StoreEvents, K>): this
  /** Stops listening for a store event. */
  off<K extends keyof StoreEvents>(event: K, listener: Listener<StoreEvents, K>): this
  /** Emits a store event (the store's own use). */
  emit<K extends keyof StoreEvents>(event: K, ...args: StoreEvents[K]): boolean
}

/**
 * A Corestore with the SDK's defaults: a storage directory chosen for you, cores by name or by
 * key in any spelling, namespaces, a list of what is open, and events when cores open and close.
 */
export class Store extends ReadyResource {
  /** The Corestore (or namespace session of one) behind this store. */
  readonly corestore: Corestore
  /** The storage directory, or null when an existing Corestore was handed in. */
  readonly directory: string | null
  /** The store this one is a namespace of, or null for a root store. */
  readonly parent: Store | null

  private readonly _shared: Shared
  private readonly _ownsCorestore: boolean
  private _temp = false
  private readonly _children = new Set<Store>()
  private readonly _sessions = new Set<Hypercore<unknown>>()

  constructor(storage?: string | Corestore, opts: StoreOptions = {}) {
    super()
    const child = opts[CHILD]
    if (child) {
      this.corestore = child.corestore
      this.directory = child.parent.directory
      this.parent = child.parent
      this._shared = child.parent._shared
      this._ownsCorestore = true
      child.parent._children.add(this)
      this.ready().catch(noop)
      return
    }
    if (isCorestore(storage)) {
      if (opts.writeBufferSize !== undefined) {
        throw new TypeError('Store writeBufferSize is for a directory; a Corestore has its storage')
      }
      this.corestore = storage
      this.directory = null
      this._ownsCorestore = false
    } else {
      if (storage !== undefined && typeof storage !== 'string') {
        throw new TypeError('Store storage must be a directory path or a Corestore')
      }
      const writeBufferSize = opts.writeBufferSize ?? DEFAULT_WRITE_BUFFER_SIZE
      if (!Number.isSafeInteger(writeBufferSize) || writeBufferSize < 64 * 1024) {
        throw new TypeError(
          'Store writeBufferSize must be a whole number of bytes, at least 64 KiB',
        )
      }
      this.directory = storage ?? defaultStorageDir()
      fs.mkdirSync(this.directory, { recursive: true })
      this.corestore = new Corestore(
        Hypercore.defaultStorage(this.directory, { writeBufferSize }),
        opts.primaryKey ? { primaryKey: opts.primaryKey, unsafe: true } : {},
      )
      this._ownsCorestore = true
    }
    this.parent = null
    this._shared = { registry: new Map() }
    this.ready().catch(noop)
  }

  /** A store in a fresh temporary directory, removed on `close()` (hypercore 11 has no memory storage). */
  static temp(opts: StoreOptions = {}): Store {
    const store = new Store(makeTempDir(), opts)
    store._temp = true
    return store
  }

  protected async _open(): Promise<void> {
    if (this.parent && !this.parent.opened) await this.parent.ready()
    try {
      await this.corestore.ready()
    } catch (err) {
      if (isLockError(err)) {
        throw new DatSdkError(
          'STORAGE_LOCKED',
          `Storage ${this.directory} is in use by another store (in this or another process)`,
          { cause: err },
        )
      }
      throw err
    }
  }

  protected async _close(): Promise<void> {
    await Promise.allSettled([...this._children].map((c) => c.close()))
    await Promise.allSettled([...this._sessions].map((s) => s.close()))
    if (this._ownsCorestore) await this.corestore.close().catch(noop)
    if (this.parent) this.parent._children.delete(this)
    if (this._temp && this.directory) {
      await fs.promises.rm(this.directory, { recursive: true, force: true })
    }
  }

  private _checkOpen(): void {
    if (this.closing || (this.parent && this.parent.closing)) {
      throw closedError('store')
    }
  }

  /**
   * Opens a core: a name gives a writable core derived from the primary key (same name, same
   * key, across restarts); a key in any spelling gives that core; nothing gives a fresh writable core.
   * Throws `INVALID_KEY` on a malformed key or URL, `CLOSED` once closed.
   */
  get<T = Uint8Array>(ref?: CoreRef, opts: HypercoreOptions = {}): Hypercore<T> {
    this._checkOpen()
    let getOpts: Record<string, unknown>
    if (ref === null || ref === undefined) {
      getOpts = { ...opts, keyPair: opts.keyPair ?? crypto.keyPair() }
    } else if (typeof ref === 'object' && !(ref instanceof Uint8Array)) {
      if ('name' in ref && typeof ref.name === 'string' && ref.name !== '') {
        getOpts = { ...opts, name: ref.name }
      } else if ('key' in ref) {
        const key = ref.key
        getOpts =
          key instanceof Promise
            ? // Corestore's preload: the core opens (its ready() rejects) once the key settles.
              { ...opts, preload: key.then((k) => ({ key: toKey(k) })) }
            : { ...opts, key: toKey(key) }
      } else {
        throw new DatSdkError('INVALID_KEY', 'A core ref object needs a non-empty name or a key')
      }
    } else {
      const parsed = parseRef(ref)
      if (parsed && 'key' in parsed) getOpts = { ...opts, key: parsed.key }
      else if (parsed && 'name' in parsed) getOpts = { ...opts, name: parsed.name }
      else {
        throw new DatSdkError(
          'INVALID_KEY',
          `Store.get() takes a name or a key, not ${JSON.stringify(ref)} (resolve domains and folders first)`,
        )
      }
    }
    const core = this.corestore.get<T>(getOpts)
    this._track(core as Hypercore<unknown>)
    return core
  }

  /**
   * The key of the core named `name` in this store (or namespace), without opening it: what
   * `get(name).key` will be. Null until the store has opened (`await store.ready()`).
   * Throws `INVALID_KEY` on an empty or non-string name.
   */
  keyFor(name: string): Uint8Array | null {
    if (typeof name !== 'string' || name === '') {
      throw new DatSdkError('INVALID_KEY', 'A core name must be a non-empty string')
    }
    return derivedKey(this.corestore, name)
  }

  /**
   * An app going to the background: flushes storage and lets go of its files until `resume()`
   * (Corestore's `suspend()`). Namespaces share their root's storage: suspending one suspends all.
   * Rejects with `CLOSED` once closed.
   */
  async suspend(): Promise<void> {
    this._checkOpen()
    await this.ready()
    await this.corestore.suspend()
  }

  /** Takes storage back after `suspend()`. Rejects with `CLOSED` once closed. */
  async resume(): Promise<void> {
    this._checkOpen()
    await this.ready()
    await this.corestore.resume()
  }

  /** The store's default core (name `"default"`): its key identifies the store. */
  default<T = Uint8Array>(opts: HypercoreOptions = {}): Hypercore<T> {
    return this.get<T>({ name: 'default' }, opts)
  }

  /**
   * A store whose names live apart from this one's; it shares storage and connections.
   * Throws `CLOSED` once closed.
   */
  namespace(name: string): Store {
    this._checkOpen()
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('A namespace name must be a non-empty string')
    }
    return new Store(undefined, {
      [CHILD]: { parent: this, corestore: this.corestore.namespace(name) },
    })
  }

  /** The cores opened through this store and its namespaces, not yet closed (one session each). */
  cores(): Hypercore[] {
    const out: Hypercore[] = []
    for (const entry of this._shared.registry.values()) {
      for (const [session, owner] of entry.sessions) {
        if (this._isAncestorOf(owner) && !session.closing) {
          out.push(session as Hypercore)
          break
        }
      }
    }
    return out
  }

  /** Every core stored under this store (and namespace), opened or not. */
  async *list(): AsyncIterable<StoredCore> {
    await this.ready()
    const stream = this.parent ? this.corestore.list(this.corestore.ns) : this.corestore.list()
    for await (const discoveryKey of stream) {
      const auth = await this.corestore.getAuth(discoveryKey)
      if (auth && auth.key) yield { key: auth.key, discoveryKey }
    }
  }

  /**
   * All-to-all replication of every core the two sides share. The stream also answers the SDK's
   * `dat-sdk/ready@1` probe for any core (ready.ts), so a Core on the other side knows this is
   * one of ours even before a Core opens here.
   * Throws `CLOSED` once closed.
   */
  replicate(isInitiatorOrStream: boolean | Duplex, opts?: object): Duplex {
    this._checkOpen()
    const stream = this.corestore.replicate(isInitiatorOrStream, opts)
    const mux = muxOf(stream)
    if (mux) ReadyLink.pair(mux)
    return stream
  }

  private _isAncestorOf(store: Store | null): boolean {
    for (let s = store; s; s = s.parent) if (s === this) return true
    return false
  }

  private _emitUp(event: 'core' | 'core-close', core: Hypercore<unknown>, owner: Store): void {
    for (let s: Store | null = owner; s; s = s.parent) s.emit(event, core)
  }

  private _track(session: Hypercore<unknown>): void {
    this._sessions.add(session)
    session.once('close', () => {
      this._sessions.delete(session)
      if (!session.id) return
      const entry = this._shared.registry.get(session.id)
      if (!entry) return
      entry.sessions.delete(session)
      if (entry.sessions.size === 0) {
        this._shared.registry.delete(session.id)
        if (entry.announced) this._emitUp('core-close', session, this)
      }
    })
    session.ready().then(
      () => {
        if (session.closing || !session.id) return
        let entry = this._shared.registry.get(session.id)
        if (!entry) {
          entry = { id: session.id, sessions: new Map(), announced: false }
          this._shared.registry.set(session.id, entry)
        }
        entry.sessions.set(session, this)
        if (!entry.announced) {
          entry.announced = true
          this._emitUp('core', session, this)
        }
      },
      () => this._sessions.delete(session),
    )
  }
}

function noop(): void {}
