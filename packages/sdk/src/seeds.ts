// `sdk.seed()`, `sdk.unseed()` and bringing seeds back after a restart: how a ref becomes a seed.
// What a seed is made of, for each kind of part, is seeding.ts; the engine is @dat-sdk/seeding.
import {
  SEED_KINDS,
  type Seed,
  type SeedKind,
  type SeedRecord,
  type Seeder,
  type SeedTarget,
} from '@dat-sdk/seeding'
import { DatSdkError, parseRef, toKey } from '@dat-sdk/store'
import type { SDKRef, SDKSeedOptions } from './options.js'
import {
  isSeedablePart,
  keyTarget,
  kindOf,
  partTarget,
  type SeedContext,
  type SeedablePart,
} from './seeding.js'

/** What seeds need of the SDK: its store and seeder, a way to announce, and its shortcuts. */
export interface SeedsHost extends SeedContext {
  readonly seeder: Seeder
  /** Opens a part of this store by name (its kind's shortcut), or an Autobase by key. */
  open(kind: SeedKind, ref: string | Uint8Array, encryptionKey: Uint8Array | null): SeedablePart
  /** The key of `hyper://<domain>`. */
  resolve(domain: string): Promise<Uint8Array>
  /** A recorded seed that could not come back. */
  onerror(err: unknown, key: Uint8Array): void
}

interface How {
  blindPeers: Uint8Array[] | null
  encryptionKey: Uint8Array | null
  persist?: boolean | undefined
  download?: boolean | undefined
}

export class Seeds {
  private readonly _host: SeedsHost

  constructor(host: SeedsHost) {
    this._host = host
  }

  async seed(ref: SDKRef | SeedablePart, opts: SDKSeedOptions): Promise<Seed> {
    const blindPeers = opts.blindPeers ? opts.blindPeers.map((k) => toKey(k)) : null
    const encryptionKey = opts.encryptionKey !== undefined ? toKey(opts.encryptionKey) : null
    if (opts.kind !== undefined && !SEED_KINDS.includes(opts.kind)) {
      throw new TypeError(`opts.kind is one of ${SEED_KINDS.join(', ')}`)
    }
    const how = { blindPeers, encryptionKey, persist: opts.persist, download: opts.download }
    if (isSeedablePart(ref)) return this._seedPart(ref, how)
    const parsed = parseRef(ref)
    if (parsed === null || 'folder' in parsed) {
      throw new DatSdkError('INVALID_KEY', 'seed() takes an open part, or a key or URL')
    }
    if ('name' in parsed) {
      // A name is a part of this store: open it as the kind says, and seed it as a part.
      return this._seedPart(this._host.open(opts.kind ?? 'core', parsed.name, encryptionKey), how)
    }
    const key = 'key' in parsed ? parsed.key : await this._host.resolve(parsed.domain)
    const existing = this._host.seeder.get(key)
    if (existing) return existing
    if (opts.kind === 'autobase')
      return this._seedPart(this._host.open('autobase', key, encryptionKey), how)
    const target = await keyTarget(this._host, key, opts.kind, encryptionKey, opts.timeout)
    if (target === 'autobase')
      return this._seedPart(this._host.open('autobase', key, encryptionKey), how)
    return this._host.seeder.add({
      kind: target.kind,
      key,
      target: Promise.resolve(target),
      ...how,
    })
  }

  async unseed(ref: SDKRef | SeedablePart): Promise<boolean> {
    if (isSeedablePart(ref)) {
      await ref.ready()
      return ref.key ? this._host.seeder.remove(ref.key) : false
    }
    const parsed = parseRef(ref)
    if (parsed && 'key' in parsed) return this._host.seeder.remove(parsed.key)
    if (parsed && 'domain' in parsed) {
      return this._host.seeder.remove(await this._host.resolve(parsed.domain))
    }
    throw new DatSdkError('INVALID_KEY', 'unseed() takes an open part, or a key or URL')
  }

  /**
   * Seeds a record again after a restart, in the background. A failure (no peer had a part that
   * is not stored here yet, say) leaves the record for the next start, and goes to `onerror`.
   */
  restore(record: SeedRecord): void {
    const how = {
      blindPeers: record.blindPeers,
      encryptionKey: record.encryptionKey,
      download: record.download,
      persist: false,
    }
    const target: Promise<SeedTarget> =
      record.kind === 'autobase'
        ? (async () => {
            const base = this._host.open('autobase', record.key, record.encryptionKey)
            await base.ready()
            return partTarget(this._host, base)
          })()
        : keyTarget(this._host, record.key, record.kind, record.encryptionKey).then((t) => {
            if (t === 'autobase') throw new TypeError('A recorded seed changed kind')
            return t
          })
    this._host.seeder
      .add({ kind: record.kind, key: record.key, target, ...how })
      .catch((err: unknown) => this._host.onerror(err, record.key))
  }

  private async _seedPart(part: SeedablePart, how: How): Promise<Seed> {
    await part.ready()
    const target = partTarget(this._host, part)
    return this._host.seeder.add({
      kind: kindOf(part),
      key: target.key,
      target: Promise.resolve(target),
      ...how,
      // An encrypted part's key goes into the local record, so a restart can read its header.
      encryptionKey: how.encryptionKey ?? part.encryptionKey,
    })
  }
}
