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
 *
 * A structure opened without extensions makes its Core when it is first needed: at the core's
 * first peer (so the `dat-sdk/ready@1` handshake starts with the peer, as it would have), at the
 * first `'append'` listener, or when `peers()`, `registerExtension()`, `extension()` or a
 * checkout asks for it. Until then it holds no listener of its own on the core: its Meter, which
 * counts the core from its first peer, says when that peer came (`_meterFirstPeer`). A seeder's
 * thousand idle drives held a Core each, with its four session listeners (about 1.5 KiB a drive),
 * and then a second `'peer-add'` listener beside the Meter's (a list of two, 176 bytes).
 */
export abstract class CoreHost extends CoreIdentity implements ExtensionHost<Peer> {
  private _hosted: Core<unknown> | null = null
  /** The Core not made yet: what it is to be made on (see the class comment). */
  private _deferred: DeferredCore | null = null
  private _ownsHosted = false
  private _unrelay: (() => void) | null = null
  /** @internal Counts the transfers of this structure's cores (the SDK sums its parts' meters). */
  readonly meter: Meter = new Meter({ onprogress: progressOf(this), owner: this })

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
    if (this._hosted || this._deferred) throw new Error('_hostCore() is called once')
    // The structure's Meter counts the core from the start, whenever its Core is made.
    this.meter.add(source instanceof Core ? source.hypercore : source)
    if (source instanceof Core) {
      this._host(source, false)
      return
    }
    // A core that already has peers (its Meter counts it at once, with no listener to say when
    // the first came): the Core now, which adopts them as it opens.
    if (extensions.length > 0 || source.peers.length > 0) {
      this._host(this._makeCore(source, extensions, exclusive), true)
      return
    }
    this._deferred = { source, exclusive }
    this.on('newListener', this._onNewListener)
  }

  /**
   * @internal The Meter's word that one of its cores met its first peer: a deferred Core on that
   * core is made now, so that its handshake starts with the peer.
   */
  _meterFirstPeer(core: Hypercore<unknown>): void {
    if (core === this._deferred?.source && !this.closing) this._wake()
  }

  /**
   * A Core on `source` counting on this structure's Meter: on a session of its own, so two
   * structures over one hypercore do not collide, or, with `exclusive` (the structure made that
   * session for itself alone), on `source` itself, which the structure closes (a session costs
   * about 1 KiB).
   */
  private _makeCore(
    source: Hypercore<unknown>,
    extensions: readonly string[],
    exclusive: boolean,
  ): Core<unknown> {
    const opts: HostedCoreOptions = {
      extensions: [...extensions],
      closeHypercore: !exclusive,
      [SHARED_METER]: this.meter,
    }
    return new Core(exclusive ? source : source.session(), opts)
  }

  private _host(core: Core<unknown>, owned: boolean): void {
    this._hosted = core
    this._ownsHosted = owned
    this._unrelay = core._relayTo(this)
  }

  /**
   * A deferred Core is made when an `'append'` listener comes (the Core relays appends). One
   * method for every host (the emitter calls it on itself), not a closure each.
   */
  private _onNewListener(event: string | symbol): void {
    if (event === 'append' && this._deferred && !this.closing) this._wake()
  }

  /** Makes the deferred Core now, with the peers its core already has. */
  private _wake(): Core<unknown> {
    const deferred = this._undefer()
    if (!deferred) {
      this._check() // closed: CLOSED, not the message below
      throw new Error('No core is hosted yet: call _hostCore() first')
    }
    const core = this._makeCore(deferred.source, [], deferred.exclusive)
    this._host(core, true)
    // Peers that came before it are its peers now, before anyone hears of a later one.
    if (deferred.source.opened) core._adoptPeers()
    return core
  }

  /** Takes the deferred Core's listener off (it is being made, or will never be); returns it. */
  private _undefer(): DeferredCore | null {
    const deferred = this._deferred
    if (!deferred) return null
    this._deferred = null
    this.removeListener('newListener', this._onNewListener)
    return deferred
  }

  /** The hosted Core (peers and extensions), made now if it was deferred; a view's is its parent's. */
  protected get _core(): Core<unknown> {
    return this._hosted ?? this._wake()
  }

  /** Waits for the hosted Core to open, when there is one (a deferred Core opens when made). */
  protected async _openHostedCore(): Promise<void> {
    await this._hosted?.ready()
  }

  /** Stops passing events on, and closes the hosted Core if this structure made it. */
  protected async _closeHostedCore(): Promise<void> {
    this.meter.destroy()
    this._undefer()
    this._unrelay?.()
    this._unrelay = null
    if (this._hosted && this._ownsHosted) await this._hosted.close().catch(noop)
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
    // A structure whose Core is still deferred has had no peer.
    return this.meter.stats(this._hosted ? this._hosted.peers().length : 0)
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

/** A Core `_hostCore()` deferred: its hypercore, how it is made, and what wakes it. */
interface DeferredCore {
  source: Hypercore<unknown>
  exclusive: boolean
}

function noop(): void {}
