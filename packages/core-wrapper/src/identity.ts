import ReadyResource from 'ready-resource'
import { toURL } from '@dat-sdk/store'

/** Where a part's identity comes from: its hypercore session, or the structure living on one. */
export interface IdentitySource {
  /** The public key, or null before it opens. */
  readonly key: Uint8Array | null
  /** The discovery key, the topic peers meet on, or null before it opens. */
  readonly discoveryKey: Uint8Array | null
  /** Whether this peer can write to it. */
  readonly writable: boolean
  /** Whether it can be read (false once closed). */
  readonly readable: boolean
}

/**
 * The identity getters every part on a core shares, written once: `Core` reads them from its
 * session, `CoreHost` (so `Drive` and `Bee`) from the structure it hosts.
 */
export abstract class CoreIdentity extends ReadyResource {
  /** The hypercore session or structure the getters read. */
  protected abstract get _identity(): IdentitySource

  /** The public key (its core's); null until it has opened, for a core opened by name. */
  get key(): Uint8Array | null {
    return this._identity.key
  }

  /** The discovery key, the topic peers meet on, or null before it opens. */
  get discoveryKey(): Uint8Array | null {
    return this._identity.discoveryKey
  }

  /** `hyper://<z32 key>/` (null until the key is known). */
  get url(): string | null {
    const key = this._identity.key
    return key ? toURL(key) : null
  }

  /** Whether this peer can write to it. */
  get writable(): boolean {
    return this._identity.writable
  }

  /** Whether it can be read (false once closed). */
  get readable(): boolean {
    return this._identity.readable
  }
}
