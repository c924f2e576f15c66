import { Bee, type BeeOptions } from '@dat-sdk/bee-wrapper'
import { isStore, type Hypercore, type KeyLike, type Store } from '@dat-sdk/store'
import { PartOpenHook, type OpenHook } from './parts.js'

/** `Hyperbee(ref, opts)`: `Bee`'s options (`keyEncoding`, `valueEncoding`, `extensions`). */
export type SDKBeeOptions<K = Uint8Array, V = Uint8Array> = BeeOptions<K, V>

/**
 * A `Bee` that runs the SDK's open hook (ref cache, autoJoin, waiting for the first lookup)
 * before `ready()` resolves, so a read right after opening a remote bee finds its peers.
 */
export class SDKBee<K = Uint8Array, V = Uint8Array> extends Bee<K, V> {
  private readonly _hook: PartOpenHook<SDKBee<K, V>>
  /** The core of a bee opened from a hyper:// domain (its key arrives from DNS while it opens). */
  private _ownedCore: Hypercore<unknown> | null

  constructor(
    source: Store | Hypercore<unknown>,
    ref: KeyLike | null,
    opts: SDKBeeOptions<K, V>,
    hook: OpenHook<SDKBee<K, V>> | null,
  ) {
    if (isStore(source)) super(source, ref, opts)
    else super(source, opts)
    this._hook = new PartOpenHook(hook)
    this._ownedCore = isStore(source) ? null : source
  }

  protected override async _open(): Promise<void> {
    try {
      await super._open()
    } catch (err) {
      await this._ownedCore?.close().catch(noop)
      throw err
    }
    await this._hook.run(this)
  }

  protected override async _close(): Promise<void> {
    await super._close()
    const core = this._ownedCore
    this._ownedCore = null
    if (core) await core.close().catch(noop)
  }
}

function noop(): void {}
