import { Core, type CoreOptions } from '@dat-sdk/core-wrapper'
import { Drive, type DriveOptions, type FolderSync } from '@dat-sdk/drive-wrapper'
import type { Hypercore, KeyLike, Store } from '@dat-sdk/store'

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

/**
 * A `Drive` that runs the SDK's open hook before `ready()` resolves, and carries the folder sync
 * the SDK started for it when it was opened from a folder.
 */
export class SDKDrive extends Drive {
  /** The sync between this drive and the folder it was opened from (`Hyperdrive('./dir')`), or null. */
  folderSync: FolderSync | null
  private _hook: OpenHook<SDKDrive> | null

  /** `ref` a promise: the key of a hyper:// domain, still resolving (the drive opens on it). */
  constructor(
    store: Store,
    ref: KeyLike | Promise<KeyLike> | null,
    opts: DriveOptions,
    hook: OpenHook<SDKDrive> | null,
  ) {
    if (ref instanceof Promise) super(store, ref, opts)
    else super(store, ref, opts)
    this._hook = hook
    this.folderSync = null
  }

  protected override async _open(): Promise<void> {
    await super._open()
    const hook = this._hook
    this._hook = null
    if (hook && !this.closing) await hook(this)
  }
}
