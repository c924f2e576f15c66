// `Drive`: one Hyperdrive behind the SDK's part shape (open, header check, files, streams in the
// drive's block size, download and upload with progress, folder sync, stats, close). It stays one
// file past ~400 lines because every method guards the same Hyperdrive and its db core; the
// transfers, folder sync, prefetch, blocks and mirror sides are their own modules beside it.
import crypto from 'crypto'
import fs from 'fs'
import path from 'path'
import {
  DatSdkError,
  HeaderCheck,
  decryptionFailed,
  toEncryptionKey,
  isCorestore,
  isStore,
  parseRef,
  resolveEncoding,
  toURL,
  type Corestore,
  type Encoding,
  type Hypercore,
  type KeyLike,
  type Store,
  hasShape,
  layout,
} from '@dat-sdk/store'
import { CoreHost, guardStream, type Core, type Peer, type Structure } from '@dat-sdk/core-wrapper'
import Hyperbee from 'hyperbee'
import Hyperdrive from 'hyperdrive'
import type {
  DownloadHandle,
  HyperdriveDiffEntry,
  HyperdriveEntry,
  HyperdriveWatcher,
  PutOptions,
  ReadStreamOptions,
  StreamxReadable,
  StreamxWritable,
} from 'hyperdrive'
import type { DriveEvents as SeamDriveEvents, Listener } from '@dat-sdk/interfaces'
import { DAT_FILE } from './ignore.js'
import { FolderSync, type SyncFolderOptions } from './folder-sync.js'
import { followIndex, prefetchListed, type IndexDownload } from './prefetch.js'
import { DriveDownload } from './transfer.js'
import { toBlockSize, writeInBlocks } from './blocks.js'

/** Options for a Drive: extensions, encryption key and how it opens. */
export interface DriveOptions {
  /** Extension names whose messages arrive as `'extension' (name, message, peer)` events. */
  extensions?: string[]
  /**
   * Encrypts both cores of the drive (its db and its blobs), at rest and on the wire, with
   * hypercore's block encryption: 32 bytes, any key spelling (a malformed key is `INVALID_KEY`).
   * Readers need the same key; without it, or with a wrong one, reads reject `DECRYPTION_FAILED`.
   */
  encryptionKey?: KeyLike | null
  /**
   * The block size this drive writes files in, `put()` and `createWriteStream()` alike: 1 MiB by
   * default (hyperblobs' own is 64 KiB), from 1 KiB to 4 MiB. Bigger blocks mean less work per
   * byte on both sides; a read of a few bytes fetches the whole block they sit in. Any hyperdrive
   * reader reads any block size.
   */
  blockSize?: number
}

/** Options for `list()`: whether to go into sub-folders. */
export interface ListOptions {
  /** Everything below `path` (default), or only its direct children. */
  recursive?: boolean
}

/** One file (or symlink) of a drive: `key` is its path, `value.blob` where its bytes live. */
export type DriveEntry = HyperdriveEntry
/** A change between two versions: `left` in the newer one, `right` in the older (null: absent). */
export type DriveDiffEntry = HyperdriveDiffEntry
/** Yields `[current, previous]` snapshots (raw hyperdrive checkouts, closed by the watcher) on every change. */
export type DriveWatcher = HyperdriveWatcher
/** A stream of a file's bytes. */
export type DriveReadStream = StreamxReadable<Uint8Array>
/** A stream that writes a file's bytes. */
export type DriveWriteStream = StreamxWritable<Uint8Array>
export type { PutOptions, ReadStreamOptions }

// Named drives live in their own namespace, apart from named cores: `Drive(store, 'x')` and
// `store.get('x')` are different things with different keys.
// (`layout.drive(name)` in @dat-sdk/store.)

// `Drive.checkout()` hands the Drive it makes the Core of the drive it came from, under a key no
// caller outside this module can name: the checkout borrows that Core for peers and extensions
// (and does not close it), and closes the snapshot it was made for.
const PARENT_CORE = Symbol('parent core')

interface CheckoutOptions extends DriveOptions {
  [PARENT_CORE]: Core<unknown>
}

function isCheckoutOptions(opts: DriveOptions): opts is CheckoutOptions {
  return PARENT_CORE in opts
}

/** A Drive's events: the same as a `Core`'s, for the drive's db core. */
export type DriveEvents = SeamDriveEvents<Peer>

function isHyperdrive(value: unknown): value is Hyperdrive {
  return (
    hasShape<Hyperdrive>(value, ['getBlobs', 'createWriteStream', 'checkout']) &&
    'corestore' in value
  )
}

/** The key named in `<folder>/.dat`, or null when the folder has none yet. */
function folderKey(folder: string): Uint8Array | null {
  let text: string
  try {
    text = fs.readFileSync(path.join(folder, DAT_FILE), 'utf-8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  const ref = parseRef(text.trim())
  if (ref && 'key' in ref) return ref.key
  throw new DatSdkError('INVALID_KEY', `${path.join(folder, DAT_FILE)} does not hold a drive URL`)
}

/**
 * A Hyperdrive whose db core opens, through `Store.get()`, on the key `key` resolves to (a key
 * read from DNS, say): the drive is there at once and its `ready()` rejects if the key does. The
 * db core is the store's like any other: in `store.cores()`, and announced by its `'core'` event.
 */
function openOnKeyPromise(
  store: Store,
  key: Promise<KeyLike>,
  encryptionKey: Uint8Array | null,
): Hyperdrive {
  const core = store.get(
    { key },
    { exclusive: true, ...(encryptionKey ? { encryption: { key: encryptionKey } } : {}) },
  )
  return new Hyperdrive(store.corestore.session(), null, {
    encryptionKey,
    _db: driveDb(core),
  })
}

/** The db as Hyperdrive makes its own (its `_db` option), on `core`. */
function driveDb(core: Hypercore<unknown>): Hyperbee<string, unknown> {
  return new Hyperbee<string, unknown>(core, {
    keyEncoding: 'utf-8',
    valueEncoding: 'json',
    metadata: { contentFeed: null },
  })
}

/**
 * An encrypted Hyperdrive on `corestore` (`key`, or a new drive's `db` core): the db core opens
 * with hypercore 11's `encryption: { key }`; Hyperdrive opens the blobs core with the same key.
 */
function openEncrypted(
  corestore: Corestore,
  key: Uint8Array | null,
  encryptionKey: Uint8Array,
): Hyperdrive {
  const core = corestore.get({
    ...(key ? { key } : { name: 'db' }),
    exclusive: true,
    encryption: { key: encryptionKey },
  })
  return new Hyperdrive(corestore, null, { encryptionKey, _db: driveDb(core) })
}

/**
 * A Hyperdrive with the SDK's conveniences: open it from a store by key, name or folder, typed
 * file calls, peers and extension messages on its db core, and a folder that stays in sync.
 */
export class Drive extends CoreHost {
  /** The raw Hyperdrive, for what this wrapper does not cover. */
  readonly hyperdrive: Hyperdrive
  /** The folder this drive was opened from (`new Drive(store, './dir')`), or null. */
  readonly folder: string | null
  /** The extension names this drive registered. */
  readonly extensions: readonly string[]

  /** The block size this drive writes files in (the `blockSize` option; 1 MiB by default). */
  readonly blockSize: number

  private readonly _ownsDrive: boolean
  /** The folder syncs of this drive, made with the first (most drives have none). */
  private _syncs: Set<FolderSync> | null = null

  constructor(hyperdrive: Hyperdrive, opts?: DriveOptions)
  constructor(store: Store, ref: Promise<KeyLike>, opts?: DriveOptions)
  constructor(store: Store | Corestore, ref?: KeyLike | null, opts?: DriveOptions)
  constructor(
    storeOrDrive: Store | Corestore | Hyperdrive,
    refOrOpts?: KeyLike | Promise<KeyLike> | null | DriveOptions,
    maybeOpts?: DriveOptions,
  ) {
    super()
    let opts: DriveOptions
    let folder: string | null = null
    let parentCore: Core<unknown> | null = null
    if (isHyperdrive(storeOrDrive)) {
      opts = (refOrOpts as DriveOptions | undefined) ?? {}
      this.hyperdrive = storeOrDrive
      parentCore = isCheckoutOptions(opts) ? opts[PARENT_CORE] : null
      // A hyperdrive handed in is the caller's; a checkout's snapshot was made for this Drive.
      this._ownsDrive = parentCore !== null
    } else if (refOrOpts instanceof Promise) {
      opts = maybeOpts ?? {}
      if (!isStore(storeOrDrive)) {
        throw new TypeError('new Drive(store, keyPromise) takes a Store (it opens the db core)')
      }
      this.hyperdrive = openOnKeyPromise(
        storeOrDrive,
        refOrOpts,
        toEncryptionKey(opts.encryptionKey),
      )
      this._ownsDrive = true
    } else {
      opts = maybeOpts ?? {}
      const encryptionKey = toEncryptionKey(opts.encryptionKey)
      let corestore: Corestore
      if (isStore(storeOrDrive)) corestore = storeOrDrive.corestore
      else if (isCorestore(storeOrDrive)) corestore = storeOrDrive
      else throw new TypeError('new Drive() takes a Store, a Corestore or a Hyperdrive')
      const ref = parseRef(refOrOpts as KeyLike | null | undefined)
      let key: Uint8Array | null = null
      let session: Corestore
      if (ref && 'folder' in ref) {
        folder = path.resolve(ref.folder)
        key = folderKey(folder)
      } else if (ref && 'domain' in ref) {
        throw new DatSdkError(
          'INVALID_KEY',
          `hyper://${ref.domain} is a domain: resolve it to a key first (the SDK's resolveName)`,
        )
      } else if (ref && 'key' in ref) {
        key = ref.key
      }
      if (key) session = corestore.session()
      else if (ref && 'name' in ref) session = corestore.namespace(layout.drive(ref.name))
      else session = corestore.namespace(crypto.randomBytes(32)) // a fresh drive
      this.hyperdrive = encryptionKey
        ? openEncrypted(session, key, encryptionKey)
        : new Hyperdrive(session, key)
      this._ownsDrive = true
    }
    this.folder = folder
    this.blockSize = toBlockSize(opts.blockSize)
    this.extensions = [...(opts.extensions ?? [])]
    this._header = HeaderCheck.ofHyperbee('drive', this.hyperdrive.db)
    // Peers and extensions on the db core; a checkout borrows its drive's Core. A hyperdrive this
    // Drive opened is its own alone, so its db core needs no second session; one handed in gets one.
    const exclusive = this._ownsDrive && parentCore === null
    this._hostCore(parentCore ?? this.hyperdrive.core, this.extensions, { exclusive })
    // The blobs core counts too, once hyperdrive knows it.
    this.hyperdrive.on('blobs', this._onblobs)
    this.ready().catch(noop)
  }

  protected override async _open(): Promise<void> {
    try {
      await this.hyperdrive.ready()
    } catch (err) {
      // Hyperdrive reads its header (block 0) as it opens: garbage there is a missing or wrong key.
      const state = await this._header.verify({ wait: false })
      if (this._ownsDrive) await this._close().catch(noop)
      if (state === 'invalid') throw (this._openError = decryptionFailed('drive'))
      throw err
    }
    // Garbage from a wrong key can still parse as some header (protobuf is lenient): when block 0
    // is here, check it now, so that opening fails the same way whatever the key decoded to.
    if ((await this._header.verify({ wait: false })) === 'invalid') {
      if (this._ownsDrive) await this._close().catch(noop)
      throw (this._openError = decryptionFailed('drive'))
    }
    await this._openHostedCore()
    if (this.hyperdrive.blobs) this._onblobs(this.hyperdrive.blobs)
    if (!this.closing) this._index = followIndex(this.hyperdrive)
  }

  private readonly _onblobs = (blobs: { core: Hypercore; blockSize: number }) => {
    this.meter.add(blobs.core)
    // `put()` splits a file by the blobs' block size.
    blobs.blockSize = this.blockSize
  }

  protected override async _close(): Promise<void> {
    this.hyperdrive.removeListener('blobs', this._onblobs)
    this._index?.destroy()
    await Promise.allSettled([...(this._syncs ?? [])].map((s) => s.close()))
    await this._closeHostedCore()
    if (this._ownsDrive) await this.hyperdrive.close()
  }

  /** The background download of a remote drive's file index (see prefetch.ts). */
  private _index: IndexDownload | null = null
  /** Block 0 of the db must be its header: a missing or wrong key gives `DECRYPTION_FAILED`. */
  private readonly _header: HeaderCheck
  private _openError: DatSdkError | null = null

  protected _check(): void {
    // A drive that could not open for its key keeps saying why.
    if (this._openError) throw this._openError
    if (this.closing) throw new DatSdkError('CLOSED', 'The drive is closed')
  }

  private async _ready(): Promise<void> {
    this._check()
    if (!this.opened) await this.ready()
    this._check()
  }

  // ---- identity (key, discoveryKey, url, writable, readable, version: CoreHost's) ----------------

  protected get _structure(): Structure {
    return this.hyperdrive
  }

  /** True when the drive's cores are encrypted (opened with an `encryptionKey`). */
  get encrypted(): boolean {
    return this.hyperdrive.encryptionKey !== null
  }

  /**
   * The key the drive's cores are encrypted with, or null: a secret, for the app to keep (the
   * Drive never puts it in a URL, a message or on the wire).
   */
  get encryptionKey(): Uint8Array | null {
    return this.hyperdrive.encryptionKey
  }

  /** Runs a read behind the header check (`DECRYPTION_FAILED`); `unverified` if it cannot run. */
  private async _read<R>(
    fn: () => Promise<R>,
    opts: { wait?: boolean; timeout?: number } | undefined,
    unverified: R,
  ): Promise<R> {
    await this._ready()
    return this._header.guard(fn, { wait: opts?.wait, timeout: opts?.timeout }, unverified)
  }

  /** Before a write: block 0, when here, must be the header (a wrong key would write garbage). */
  private async _writable(): Promise<void> {
    await this._ready()
    await this._header.verify({ wait: false })
    this._header.assert()
  }

  /** The key of the core that holds the files' bytes. */
  get contentKey(): Uint8Array | null {
    return this.hyperdrive.contentKey ?? null
  }

  // ---- files ---------------------------------------------------------------------------------

  /**
   * The file's bytes, or null when there is no such file.
   * Rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed.
   */
  async get(path: string, opts?: { wait?: boolean; timeout?: number }): Promise<Uint8Array | null> {
    return this._read(() => this.hyperdrive.get(path, opts), opts, null)
  }

  /** The file decoded with `encoding` (bytes by default), or null when there is no such file. */
  readFile(path: string): Promise<Uint8Array | null>
  readFile(path: string, encoding: 'utf-8' | 'utf8'): Promise<string | null>
  readFile<M = unknown>(path: string, encoding: Encoding<M>): Promise<M | null>
  async readFile<M>(path: string, encoding?: Encoding<M>): Promise<M | Uint8Array | null> {
    const bytes = await this.get(path)
    if (bytes === null) return null
    return encoding === undefined ? bytes : resolveEncoding(encoding).decode(bytes)
  }

  /**
   * Writes a file (a string is stored as UTF-8).
   * Rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed.
   */
  async put(path: string, data: Uint8Array | string, opts?: PutOptions): Promise<void> {
    await this._writable()
    await this.hyperdrive.put(path, toBytes(data), opts)
  }

  /** Writes `data` encoded with `encoding` (bytes or a UTF-8 string by default). */
  async writeFile<M = Uint8Array | string>(
    path: string,
    data: M,
    encoding?: Encoding<M>,
    opts?: PutOptions,
  ): Promise<void> {
    const codec = resolveEncoding<M>(encoding)
    await this.put(path, codec.encode(data), opts)
  }

  /** Deletes the file at `path`; rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed. */
  async del(path: string): Promise<void> {
    await this._writable()
    await this.hyperdrive.del(path)
  }

  /** Whether a file exists at `path`; rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed. */
  async exists(path: string): Promise<boolean> {
    return this._read(() => this.hyperdrive.exists(path), undefined, false)
  }

  /**
   * The file's entry (`{ seq, key, value: { executable, linkname, blob, metadata } }`), or null.
   * Rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed.
   */
  async entry(
    path: string,
    opts?: { follow?: boolean; wait?: boolean },
  ): Promise<DriveEntry | null> {
    return this._read(() => this.hyperdrive.entry(path, opts), opts, null)
  }

  /**
   * The entries below `path`, every level deep unless `{ recursive: false }`.
   * Throws `CLOSED` once closed.
   */
  list(path = '/', opts: ListOptions = {}): StreamxReadable<DriveEntry> {
    this._check()
    return this._guarded(() => this._list(path, opts))
  }

  /** `make()`'s stream, behind the header check (see guardStream in core-wrapper). */
  private _guarded<T>(make: () => StreamxReadable<T>): StreamxReadable<T> {
    if (this._header.state === 'valid') return make()
    return guardStream(this._header, make, 'drive')
  }

  private _list(path: string, opts: ListOptions): StreamxReadable<DriveEntry> {
    if (opts.recursive !== false) return prefetchListed(this.hyperdrive, this.hyperdrive.list(path))
    // Hyperdrive's shallow list also yields the first file of each sub-folder: keep files only.
    const depth =
      Hyperdrive.normalizePath(path)
        .split('/')
        .filter((s) => s !== '').length + 1
    const list = this.hyperdrive.list(path, {
      recursive: false,
      ignore: (key) => key.split('/').filter((s) => s !== '').length !== depth,
    })
    return prefetchListed(this.hyperdrive, list)
  }

  /** The names (files and folders) directly inside `path`. Throws `CLOSED` once closed. */
  readdir(path = '/'): StreamxReadable<string> {
    this._check()
    return this._guarded(() => this.hyperdrive.readdir(path))
  }

  /** A stream of the file's bytes (a range with `start` / `end`); throws `CLOSED` once closed, the stream errors with `DECRYPTION_FAILED` on a wrong key. */
  createReadStream(path: string, opts?: ReadStreamOptions): DriveReadStream {
    this._check()
    return this._guarded(() => this.hyperdrive.createReadStream(path, opts))
  }

  /**
   * A stream that writes the file at `path` when it ends, in blocks of `blockSize` whatever the
   * sizes written; throws `CLOSED` once closed.
   */
  createWriteStream(path: string, opts?: PutOptions): DriveWriteStream {
    this._check()
    return writeInBlocks(this.hyperdrive.createWriteStream(path, opts), this.blockSize)
  }

  /**
   * Symlinks `path` to `target` (a drive path).
   * Rejects with `DECRYPTION_FAILED` on a missing or wrong key, `CLOSED` once closed.
   */
  async symlink(path: string, target: string): Promise<void> {
    await this._writable()
    await this.hyperdrive.symlink(path, target)
  }

  // ---- versions ------------------------------------------------------------------------------

  /**
   * Yields `[current, previous]` snapshots every time something below `path` changes.
   * Throws `CLOSED` once closed.
   */
  watch(path = '/'): DriveWatcher {
    this._check()
    return this.hyperdrive.watch(path)
  }

  /**
   * The drive as it was at `version`: a read-only Drive; close it when done.
   * Throws `CLOSED` once closed.
   */
  checkout(version: number): Drive {
    this._check()
    const opts: CheckoutOptions = { [PARENT_CORE]: this._core }
    return new Drive(this.hyperdrive.checkout(version), opts)
  }

  /** What changed below `path` between `version` and now. Throws `CLOSED` once closed. */
  diff(version: number, path = '/'): StreamxReadable<DriveDiffEntry> {
    this._check()
    return this._guarded(() => this.hyperdrive.diff(version, path))
  }

  /** Waits for the latest version known to peers (`{ wait: true }` waits for one to answer). */
  async update(opts?: { wait?: boolean }): Promise<boolean> {
    await this._ready()
    return this.hyperdrive.update(opts)
  }

  /**
   * Fetches every file below `path` (or the file at `path`) from peers:
   * `await drive.download('/').done()`; `progress()` counts files and payload bytes done and total.
   * Throws `CLOSED` once closed.
   */
  download(path = '/'): DriveDownload {
    this._check()
    return new DriveDownload(this.hyperdrive, path, () => this.ready())
  }

  // ---- folders -------------------------------------------------------------------------------

  /**
   * Keeps `dir` and this drive the same: a writable drive takes the folder's files and then every
   * change made there; a read-only drive writes its files into the folder, then every change
   * that arrives. `<dir>/.dat` records the drive's URL. `ready()` resolves after the first pass.
   * Throws `CLOSED` once closed.
   */
  syncFolder(dir: string, opts: SyncFolderOptions = {}): FolderSync {
    this._check()
    const sync = new FolderSync(this.hyperdrive, dir, opts, {
      // A drive read with a missing or wrong key never writes its garbage into the folder.
      check: async (checkOpts) => {
        await this._header.verify(checkOpts)
        this._header.assert()
      },
    })
    const syncs = (this._syncs ??= new Set())
    syncs.add(sync)
    sync.once('close', () => syncs.delete(sync))
    return sync
  }
}

// Typed events on top of the EventEmitter methods ReadyResource brings.
export interface Drive {
  /** Listens for a drive event (`'peer-add'`, `'peer-remove'`, `'extension'`, `'extension-error'`, `'ready'`, `'close'`). */
  on<K extends keyof DriveEvents>(event: K, listener: Listener<DriveEvents, K>): this
  /** Listens for a drive event once. */
  once<K extends keyof DriveEvents>(event: K, listener: Listener<DriveEvents, K>): this
  /** Stops listening for a drive event. */
  off<K extends keyof DriveEvents>(event: K, listener: Listener<DriveEvents, K>): this
  /** Emits a drive event (the drive's own use). */
  emit<K extends keyof DriveEvents>(event: K, ...args: DriveEvents[K]): boolean
}

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf-8')
  if (data instanceof Uint8Array) return data
  throw new TypeError('File data must be a Uint8Array or a string')
}

function noop(): void {}
