import { Core, type CoreOptions } from '@dat-sdk/core-wrapper'
import { Drive, type DriveOptions, type FolderSync } from '@dat-sdk/drive-wrapper'
import type { Hypercore, KeyLike, Store } from '@dat-sdk/store'

/** Called by an SDK part once it has opened, before its `ready()` resolves. */
export type OpenHook<P> = (part: P) => Promise<void>

/**
 * An SDK part's open hook, run once at the end of its `_open()`: the one copy SDKCore, SDKDrive
 * and SDKBee share. The part's base constructor starts opening before the subclass's constructor
 * has stored this, so `run()` is only called after the part's own open has awaited.
 */
export class PartOpenHook<P extends { readonly closing: unknown }> {
  private _hook: OpenHook<P> | null

  constructor(hook: OpenHook<P> | null) {
    this._hook = hook
  }

  /** Runs the hook (once, and not on a part already closing). */
  async run(part: P): Promise<void> {
    const hook = this._hook
    this._hook = null
    if (hook && !part.closing) await hook(part)
  }
}

/**
 * A `Core` that runs the SDK's open hook (ref cache, autoJoin, waiting for the first lookup)
 * before `ready()` resolves. The SDK opens the hypercore session it wraps, so closing the
 * SDKCore closes that session (`closeHypercore` is always true here).
 */
export class SDKCore<T = Uint8Array> extends Core<T> {
  private readonly _hook: PartOpenHook<SDKCore<T>>

  constructor(hypercore: Hypercore<T>, opts: CoreOptions, hook: OpenHook<SDKCore<T>> | null) {
    super(hypercore, { ...opts, closeHypercore: true })
    this._hook = new PartOpenHook(hook)
  }

  protected override async _open(): Promise<void> {
    await super._open()
    await this._hook.run(this)
  }
}

/**
 * A `Drive` that runs the SDK's open hook before `ready()` resolves, and carries the folder sync
 * the SDK started for it when it was opened from a folder.
 */
export class SDKDrive extends Drive {
  /** The sync between this drive and the folder it was opened from (`Hyperdrive('./dir')`), or null. */
  folderSync: FolderSync | null
  private readonly _hook: PartOpenHook<SDKDrive>

  /** `ref` a promise: the key of a hyper:// domain, still resolving (the drive opens on it). */
  constructor(
    store: Store,
    ref: KeyLike | Promise<KeyLike> | null,
    opts: DriveOptions,
    hook: OpenHook<SDKDrive> | null,
  ) {
    if (ref instanceof Promise) super(store, ref, opts)
    else super(store, ref, opts)
    this._hook = new PartOpenHook(hook)
    this.folderSync = null
  }

  protected override async _open(): Promise<void> {
    await super._open()
    await this._hook.run(this)
  }
}
