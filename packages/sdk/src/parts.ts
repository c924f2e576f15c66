import { Core, type CoreOptions } from '@dat-sdk/core-wrapper'
import { Drive, type DriveOptions, type FolderSync, type Hyperdrive } from '@dat-sdk/drive-wrapper'
import type { Corestore, Hypercore, KeyLike, Store } from '@dat-sdk/store'

/** Called by an SDK part once it has opened, before its `ready()` resolves. */
export type OpenHook<P> = (part: P) => Promise<void>

/**
 * A `Core` that runs the SDK's open hook (ref cache, autoJoin, waiting for the first lookup)
 * before `ready()` resolves. The SDK opens the hypercore session it wraps, so closing the
 * SDKCore closes that session (`closeHypercore` is always true here).
 */
export class SDKCore<T = Uint8Array> extends Core<T> {
  private _hook: OpenHook<SDKCore<T>> | null

  constructor(hypercore: Hypercore<T>, opts: CoreOptions, hook: OpenHook<SDKCore<T>> | null) {
    super(hypercore, { ...opts, closeHypercore: true })
    this._hook = hook
  }

  protected override async _open(): Promise<void> {
    await super._open()
    // Core's constructor starts opening before ours has run: the hook is only read after an await.
    const hook = this._hook
    this._hook = null
    if (hook && !this.closing) await hook(this)
  }
}

/** What a drive opened from a hyper:// domain owns besides the Drive: its raw drive and store session. */
interface Owned {
  hyperdrive: Hyperdrive
  session: Corestore
}

/**
 * A `Drive` that runs the SDK's open hook before `ready()` resolves, and carries the folder sync
 * the SDK started for it when it was opened from a folder.
 */
export class SDKDrive extends Drive {
  /** The sync between this drive and the folder it was opened from (`Hyperdrive('./dir')`), or null. */
  folderSync: FolderSync | null
  private _hook: OpenHook<SDKDrive> | null
  private _owned: Owned | null

  constructor(
    source: Store | Owned,
    ref: KeyLike | null,
    opts: DriveOptions,
    hook: OpenHook<SDKDrive> | null,
  ) {
    if ('hyperdrive' in source) super(source.hyperdrive, opts)
    else super(source, ref, opts)
    this._hook = hook
    this._owned = 'hyperdrive' in source ? source : null
    this.folderSync = null
  }

  protected override async _open(): Promise<void> {
    await super._open()
    const hook = this._hook
    this._hook = null
    if (hook && !this.closing) await hook(this)
  }

  protected override async _close(): Promise<void> {
    await super._close()
    const owned = this._owned
    this._owned = null
    if (owned) {
      await owned.hyperdrive.close().catch(noop)
      await owned.session.close().catch(noop)
    }
  }
}

/**
 * A session of `corestore` whose first `get()` of a keyless core (Hyperdrive's db core) opens the
 * core whose key `key` resolves to, through Corestore's `preload`. This lets `Hyperdrive('hyper://domain')`
 * hand back a drive at once and learn its key from DNS while it opens. Everything else goes to
 * the session untouched.
 */
export function lazyKeyCorestore(session: Corestore, key: Promise<Uint8Array>): Corestore {
  let used = false
  return new Proxy(session, {
    get(target, prop, receiver) {
      if (prop === 'get') {
        return (opts: Record<string, unknown>) => {
          if (!used && opts && typeof opts === 'object' && !opts.key && !opts.manifest) {
            used = true
            const { name: _name, ...rest } = opts
            return target.get({ ...rest, preload: key.then((k) => ({ key: k })) })
          }
          return target.get(opts)
        }
      }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}

function noop(): void {}
