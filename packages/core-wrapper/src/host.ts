import type { Hypercore } from '@dat-sdk/store'
import type { ExtensionHost } from '@dat-sdk/interfaces'
import { Core, type HostedCoreOptions } from './core.js'
import { Meter, SHARED_METER, progressOf, type TransferStats } from './meter.js'
import { summary } from './inspect.js'
import { CoreIdentity, type IdentitySource } from './identity.js'
import type { Peer } from './peer.js'
import type { Extension, ExtensionHandlers } from './registry.js'

/** What every structure on a core has: a hyperdrive and a hyperbee alike. */
export interface Structure extends IdentitySource {
  /** The structure's version, which grows with each write. */
  readonly version: number
}

/**
 * The base of a structure that lives on one hypercore (a Drive on its db core, a Bee on its core):
 * it hosts a `Core` there for peers and extension messages, and passes that Core's `'peer-add'`,
 * `'peer-remove'`, `'extension'`, `'extension-error'` and `'append'` events on as its own.
 *
 * A subclass calls `_hostCore()` once from its constructor: with a hypercore, the host opens a
 * session of it and closes that on `_closeHostedCore()`; with a `Core` (a checkout or sub borrowing
 * its parent's), the host only listens to it. `_check()` guards every call (it throws `CLOSED`).
 */
export abstract class CoreHost extends CoreIdentity implements ExtensionHost<Peer> {
  private _hosted: Core<unknown> | null = null
  private _ownsHosted = false
  private _unrelay: (() => void) | null = null
  /** @internal Counts the transfers of this structure's cores (the SDK sums its parts' meters). */
  readonly meter: Meter = new Meter({ onprogress: progressOf(this) })

  /** Throws (`CLOSED`) when this structure can no longer be used. */
  protected abstract _check(): void

  /** The structure itself (a hyperdrive, a hyperbee): where its key, version and access come from. */
  protected abstract get _structure(): Structure

  /** `key`, `discoveryKey`, `url`, `writable` and `readable` (CoreIdentity) read the structure. */
  protected get _identity(): Structure {
    return this._structure
  }

  /** The version (its core's length): pass it to `checkout()`, or to a diff. */
  get version(): number {
    return this._structure.version
  }

  /**
   * Hosts a Core on `source` and passes its events on. A hypercore is wrapped in a Core this host
   * owns (closed by `_closeHostedCore()`): on a session of its own, or, with `exclusive` (the
   * structure made that hypercore session and nothing else uses it), on `source` itself, which
   * the structure closes. A Core (a checkout's or sub's parent's) is borrowed and left open.
   */
  protected _hostCore(
    source: Hypercore<unknown> | Core<unknown>,
    extensions: readonly string[],
    { exclusive = false }: { exclusive?: boolean } = {},
  ): void {
    if (this._hosted) throw new Error('_hostCore() is called once')
    const owned = !(source instanceof Core)
    // The hosted Core counts on this structure's Meter (one Meter per structure, not two).
    const opts: HostedCoreOptions = {
      extensions: [...extensions],
      closeHypercore: !exclusive,
      [SHARED_METER]: this.meter,
    }
    const core = owned
      ? // A session of our own, so two structures over one hypercore do not collide; a session
        // this structure made for itself alone needs no second one (a session costs about 1 KiB).
        new Core(exclusive ? source : source.session(), opts)
      : source
    this._hosted = core
    this._ownsHosted = owned
    this.meter.add(core.hypercore)
    this._unrelay = core._relayTo(this)
  }

  /** The hosted Core (peers and extensions); a view's is its parent's. */
  protected get _core(): Core<unknown> {
    if (!this._hosted) throw new Error('No core is hosted yet: call _hostCore() first')
    return this._hosted
  }

  /** Stops passing events on, and closes the hosted Core if this structure made it. */
  protected async _closeHostedCore(): Promise<void> {
    this.meter.destroy()
    this._unrelay?.()
    this._unrelay = null
    if (this._ownsHosted) await this._core.close().catch(noop)
  }

  /**
   * What `util.inspect()` (and so `console.log()`) shows: a summary, never the internals, which
   * hold an encrypted part's key.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const encrypted = (this as { encrypted?: unknown }).encrypted === true
    const { url, writable, version } = this
    return summary(this.constructor.name, { url, writable, version, encrypted })
  }

  /**
   * Blocks and bytes this structure's cores have and have moved since it opened, its peers and its
   * speeds (bytes per second over the last few seconds). Bytes are block payload bytes, not wire
   * bytes.
   */
  stats(): TransferStats {
    return this.meter.stats(this._hosted ? this._core.peers().length : 0)
  }

  /**
   * The peers replicating the hypercore this structure lives on, right now.
   * Throws `CLOSED` once closed.
   */
  peers(): Peer[] {
    this._check()
    return this._core.peers()
  }

  /**
   * Registers an extension message type on the hosted core: messages are encoded with `encoding`
   * (binary by default); one that fails to decode, or an `onmessage` that throws, reaches
   * `onerror` and `'extension-error'` as `BAD_MESSAGE` and the connection lives on.
   */
  registerExtension<M = Uint8Array>(
    name: string,
    handlers: ExtensionHandlers<M> = {},
  ): Extension<M> {
    this._check()
    return this._core.registerExtension<M>(name, handlers)
  }

  /**
   * Broadcasts `message` on an extension named in `opts.extensions` (or registered here).
   * Throws `CLOSED` once closed.
   */
  extension(name: string, message: unknown): void {
    this._check()
    this._core.extension(name, message)
  }
}

function noop(): void {}
