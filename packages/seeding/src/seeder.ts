// The seeder: every seed of one store, the records that bring them back after a restart, and
// the one blind-peering client they share.
import BlindPeering, { type BlindPeeringDHT } from 'blind-peering'
import ReadyResource from 'ready-resource'
import {
  closedError,
  sharedListener,
  toHex,
  toKey,
  type DatSdkError,
  type KeyLike,
  type Store,
} from '@dat-sdk/store'
import type { SeedKind, SeedRecord } from './messages.js'
import { SeedRecords } from './records.js'
import { Seed } from './seed.js'
import type { SeedTarget } from './target.js'

/** Options for a Seeder: default blind peers, a DHT and an error handler. */
/** A Noise key pair, with its secret key. */
export interface SeedingKeyPair {
  /** What peers see. */
  publicKey: Uint8Array
  /** What signs the handshake. */
  secretKey: Uint8Array
}

/** How a `Seeder` reaches blind peers, as whom, and which by default. */
export interface SeederOptions {
  /**
   * The DHT blind peers are reached through (a Hyperswarm's `dht`). Its default key pair is the
   * identity blind peers see, so it should be the swarm's. Null: no blind peers can be used.
   */
  dht?: BlindPeeringDHT | null
  /**
   * The key pair blind peers see this seeder as (what their `--trusted` list names). Keep it
   * apart from the swarm's: a blind peer's swarm keeps one connection per remote key, so a
   * second connection with the swarm's key would drop the first. Default: the DHT's own.
   */
  keyPair?: SeedingKeyPair
  /** The blind peers every seed is kept by unless it names its own (Noise keys, any spelling). */
  blindPeers?: KeyLike[]
  /** A stored record that does not decode (`BAD_MESSAGE`): it is skipped, and reported here. */
  onerror?(err: DatSdkError): void
}

/** `add()`: a part to seed, and how. */
export interface SeedRequest {
  /** What kind of part to seed. */
  kind: SeedKind
  /** The part's key. */
  key: Uint8Array
  /** The part, opening: the seed starts once it is ready. */
  target: Promise<SeedTarget>
  /** Its own blind peers; null or omitted: the seeder's. */
  blindPeers?: Uint8Array[] | null
  /** Keep a full local copy (default true). */
  download?: boolean
  /** Record it, so that a restart seeds it again (default true). */
  persist?: boolean
  /** The key of an encrypted part, kept in the local record only. */
  encryptionKey?: Uint8Array | null
}

/** Seeds parts to blind peers, and remembers them so that a restart seeds them again; throws `INVALID_KEY` on a malformed blind peer key. */
export class Seeder extends ReadyResource {
  /** The local record of what is seeded. */
  readonly records: SeedRecords
  /** The blind peers of seeds that name none. */
  readonly blindPeers: Uint8Array[]

  /** The key blind peers see this seeder as (null: the DHT's default, not known here). */
  readonly publicKey: Uint8Array | null

  private readonly _store: Store
  private readonly _dht: BlindPeeringDHT | null
  private _peering: BlindPeering | null = null
  private readonly _seeds = new Map<string, Seed>()

  constructor(store: Store, opts: SeederOptions = {}) {
    super()
    // Checked here, at once: a malformed key is INVALID_KEY before anything opens.
    this.blindPeers = (opts.blindPeers ?? []).map((k) => toKey(k))
    this._store = store
    this.publicKey = opts.keyPair?.publicKey ?? null
    this._dht = opts.dht && opts.keyPair ? dialingAs(opts.dht, opts.keyPair) : (opts.dht ?? null)
    this.records = new SeedRecords(store, opts.onerror)
  }

  protected override async _open(): Promise<void> {
    await this.records.ready()
  }

  protected override async _close(): Promise<void> {
    await Promise.allSettled([...this._seeds.values()].map((s) => s.close()))
    this._seeds.clear()
    await this._peering?.close()
    await this.records.close()
  }

  /**
   * The one `'close'` listener of every seed (ready-resource emits it whether or not the seed
   * opened): each seed calls it on itself, so a seeder of 1,000 parts holds one function.
   */
  private readonly _onSeedClose = sharedListener(this, Seeder._seedClosed)

  private static _seedClosed(seeder: Seeder, seed: Seed): void {
    seeder._forget(seed)
  }

  /** A seed closed: it is no longer the seed of its key. */
  private _forget(seed: Seed): void {
    const id = toHex(seed.key)
    if (this._seeds.get(id) === seed) this._seeds.delete(id)
  }

  /** The records of what was seeded before (what a restart seeds again). */
  async stored(): Promise<SeedRecord[]> {
    await this.ready()
    return this.records.list()
  }

  /** The seed of this key, if it is being seeded. */
  get(key: KeyLike): Seed | null {
    const seed = this._seeds.get(toHex(toKey(key)))
    return seed && !seed.closing ? seed : null
  }

  /** Every seed running now. */
  list(): Seed[] {
    return [...this._seeds.values()].filter((s) => !s.closing)
  }

  /**
   * Seeds a part: keeps a full local copy, announces it, asks the blind peers to keep every core
   * of it, and records it (unless `persist: false`). A key already seeded gives its seed.
   * Rejects with `CLOSED` once closed.
   */
  async add(req: SeedRequest): Promise<Seed> {
    if (this.closing) throw closedError('seeder')
    await this.ready()
    const id = toHex(req.key)
    const existing = this.get(req.key)
    if (existing) {
      const target = await req.target.catch(() => null)
      await target?.close?.().catch(noop)
      return existing
    }
    const blindPeers = req.blindPeers ?? null
    const seed = new Seed(req.kind, req.key, req.target, this._blindPeering(), {
      blindPeers: blindPeers ?? this.blindPeers,
      download: req.download !== false,
    })
    this._seeds.set(id, seed)
    seed.on('close', this._onSeedClose)
    try {
      await seed.ready()
    } catch (err) {
      await seed.close()
      throw err
    }
    // Recorded once it runs: a ref that could not be opened is not brought back by a restart.
    if (req.persist !== false) {
      await this.records.put({
        kind: req.kind,
        key: req.key,
        encryptionKey: req.encryptionKey ?? null,
        blindPeers,
        download: req.download !== false,
      })
    }
    return seed
  }

  /**
   * Stops seeding `key` and forgets its record; resolves with whether it was seeded or recorded.
   * Rejects with `CLOSED` once closed.
   */
  async remove(key: KeyLike): Promise<boolean> {
    if (this.closing) throw closedError('seeder')
    await this.ready()
    const k = toKey(key)
    const seed = this.get(k)
    const recorded = await this.records.delete(k)
    if (seed) await seed.close()
    return recorded || seed !== null
  }

  /** The one blind-peering client, made on first use (null without a DHT). */
  private _blindPeering(): BlindPeering | null {
    if (!this._peering && this._dht) {
      this._peering = new BlindPeering(this._dht, this._store, { keys: this.blindPeers })
    }
    return this._peering
  }
}

/** The DHT, dialing with `keyPair` (blind-peering dials with the DHT's default otherwise). */
function dialingAs(dht: BlindPeeringDHT, keyPair: SeedingKeyPair): BlindPeeringDHT {
  return {
    connect: (publicKey, opts = {}) => dht.connect(publicKey, { ...opts, keyPair }),
    on: (event, listener) => dht.on(event, listener),
    off: (event, listener) => dht.off(event, listener),
    get destroyed() {
      return dht.destroyed
    },
  }
}

function noop(): void {}
