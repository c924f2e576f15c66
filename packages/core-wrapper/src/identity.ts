import ReadyResource from 'ready-resource'
import { toURL } from '@dat-sdk/store'

/** Where a part's identity comes from: its hypercore session, or the structure living on one. */
export interface IdentitySource {
  readonly key: Uint8Array | null
  readonly discoveryKey: Uint8Array | null
  readonly writable: boolean
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

  get discoveryKey(): Uint8Array | null {
    return this._identity.discoveryKey
  }

  /** `hyper://<z32 key>/` (null until the key is known). */
  get url(): string | null {
    const key = this._identity.key
    return key ? toURL(key) : null
  }

  get writable(): boolean {
    return this._identity.writable
  }

  get readable(): boolean {
    return this._identity.readable
  }
}
