// `sdk.seed()`: what a seed is made of, for each kind of part. A part the caller opened is seeded
// through its own sessions while it is open, and through sessions the seed opens on the same
// keys once the caller closes it (the part stays the caller's, see HeldCores); a ref is seeded
// at the level of its cores (a drive's db core names its blobs core in its header), so nothing the ref cache
// hands out is closed by `unseed()`. An Autobase is the one exception: blind-peering follows its
// writers and views through the Autobase itself, so the SDK's instance is used.
import Hyperbee from 'hyperbee'
import { Base, isBaseBlock } from '@dat-sdk/autobase'
import { Bee } from '@dat-sdk/bee-wrapper'
import { Core } from '@dat-sdk/core-wrapper'
import { Drive } from '@dat-sdk/drive-wrapper'
import type { SeedCore, SeedKind, SeedTarget } from '@dat-sdk/seeding'
import { DatSdkError, toHex, type Hypercore, type Store } from '@dat-sdk/store'
import type { Topic } from '@dat-sdk/interfaces'

/** A part the SDK opened, or any of the package classes. */
export type SeedablePart =
  Core<unknown> | Drive | Bee<unknown, unknown> | Base<unknown, unknown, unknown>

/** How long `seed(ref)` waits for the first block of a ref it must read (ms). */
export const FIRST_BLOCK_TIMEOUT = 30_000

export function isSeedablePart(value: unknown): value is SeedablePart {
  return (
    value instanceof Core || value instanceof Drive || value instanceof Bee || value instanceof Base
  )
}

export function kindOf(part: SeedablePart): SeedKind {
  if (part instanceof Core) return 'core'
  if (part instanceof Drive) return 'drive'
  if (part instanceof Bee) return 'bee'
  return 'autobase'
}

/** What seeding needs of the SDK. */
export interface SeedContext {
  store: Store
  /** Joins a discovery key, announcing it. */
  announce(discoveryKey: Uint8Array): Topic
  /** The SDK is closing: a seed opens nothing more. */
  closing(): boolean
}

/** The target of a part the caller opened (after its `ready()`): its cores, as they are now. */
export function partTarget(ctx: SeedContext, part: SeedablePart): SeedTarget {
  if (!part.key) throw new TypeError('seed() takes a part that is ready (its key is known)')
  const kind = kindOf(part)
  const key = part.key
  if (part instanceof Base) {
    const autobase = part.autobase
    // Autobase lists its views by key: the seed reads them through sessions of its own.
    const views = new Map<string, Hypercore<unknown>>()
    return {
      kind,
      key,
      autobase,
      cores: () => baseCores(ctx.store, autobase, views),
      announce: () => (part.discoveryKey ? ctx.announce(part.discoveryKey) : null),
      close: async () => {
        await Promise.allSettled([...views.values()].map((v) => v.close()))
      },
    }
  }
  if (part instanceof Drive) part.hyperdrive.getBlobs().catch(noop) // cores() has it once read
  return new PartTarget(ctx, part, kind, key)
}

/**
 * The target of a core, drive or bee the caller opened: its cores are the part's own sessions
 * while it is open (a seed opens no second session of each core), and once the caller has closed
 * it, sessions of the target's own on the same keys (opened then, closed with the seed), so that
 * seeding goes on. One object, with no closure of its own: a seeder holds one for each part.
 */
class PartTarget implements SeedTarget {
  readonly kind: SeedKind
  readonly key: Uint8Array
  private readonly _ctx: SeedContext
  private readonly _part: Core<unknown> | Drive | Bee<unknown, unknown>
  /**
   * The part's cores as they were last seen open (their keys outlive them), as the seed reads
   * them: the same list while they stay the same (the seed asks four times a second).
   */
  private _seen: SeedCore[] = []
  /** Sessions of the target's own, once the part has closed. */
  private _own: SeedCore[] | null = null

  constructor(
    ctx: SeedContext,
    part: Core<unknown> | Drive | Bee<unknown, unknown>,
    kind: SeedKind,
    key: Uint8Array,
  ) {
    this._ctx = ctx
    this._part = part
    this.kind = kind
    this.key = key
  }

  /** The part's first core: the one it is announced by. */
  private get _first(): Hypercore<unknown> {
    const part = this._part
    if (part instanceof Core) return part.hypercore
    if (part instanceof Drive) return part.hyperdrive.core
    return part.hyperbee.core
  }

  cores(): SeedCore[] {
    if (!this._part.closing) {
      const first = this._first
      const blobs = this._part instanceof Drive ? this._part.hyperdrive.blobs?.core : undefined
      const seen = this._seen
      const same = seen[0]?.core === first && seen[1]?.core === blobs
      if (!same) this._seen = blobs ? [{ core: first }, { core: blobs }] : [{ core: first }]
      return this._seen
    }
    if (this._own) return this._own
    if (this._ctx.closing()) return []
    const key = this._part.encryptionKey
    const opts = key ? { encryption: { key } } : {}
    const own: SeedCore[] = []
    try {
      for (const { core } of this._seen) {
        if (core.key) own.push({ core: this._ctx.store.get({ key: core.key }, opts) })
      }
    } catch {
      // The store is closing: let go of what was opened.
      for (const { core } of own) core.close().catch(noop)
      return []
    }
    this._own = own
    return own
  }

  announce(): Topic {
    return this._ctx.announce(this._first.discoveryKey!)
  }

  async close(): Promise<void> {
    const own = this._own ?? []
    this._own = []
    await Promise.allSettled(own.map(({ core }) => core.close()))
  }
}

/**
 * The target of a core, drive or bee by key, at the level of its cores (sessions of the seed's
 * own, closed with it). Without `kind`, block 0 tells: a hyperbee header naming a blobs core is a
 * drive's, one naming none a bee's, an Autobase oplog message the first writer's of an Autobase
 * (`autobase` is then returned, for the caller to open as one); anything else is a core.
 */
export async function keyTarget(
  ctx: SeedContext,
  key: Uint8Array,
  kind: SeedKind | undefined,
  encryptionKey: Uint8Array | null,
  timeout = FIRST_BLOCK_TIMEOUT,
): Promise<SeedTarget | 'autobase'> {
  const opts = encryptionKey ? { encryption: { key: encryptionKey } } : {}
  const db = ctx.store.get({ key }, opts)
  const owned: Array<Hypercore<unknown>> = [db]
  let topic: Topic | null = null
  const close = async () => {
    // Not awaited: leaving unannounces on the DHT, which may never answer (the DHT gone), and a
    // seed's close must not wait on the network; the networker's close bounds what is in flight.
    topic?.destroy().catch(noop)
    await Promise.allSettled(owned.map((c) => c.close()))
  }
  try {
    await db.ready()
    // Peers are looked for while block 0 is read (and kept: the seed announces the part).
    topic = ctx.announce(db.discoveryKey!)
    let detected: SeedKind = kind ?? 'core'
    let blobs: Uint8Array | null = null
    if (kind === undefined || kind === 'drive' || kind === 'bee') {
      const first = await firstBlock(db, timeout)
      const bee = await isBeeHeader(db)
      if (kind === undefined) {
        if (bee) detected = 'bee'
        else if (isBaseBlock(first)) detected = 'autobase'
      } else if (!bee) {
        throw new DatSdkError(
          encryptionKey ? 'DECRYPTION_FAILED' : 'INVALID_KEY',
          encryptionKey
            ? `The first block of ${kind} ${toShort(key)} does not decode with the key given`
            : `${toShort(key)} is not a ${kind} (its first block is no hyperbee header)`,
        )
      }
      // A drive is a bee whose entries are files: hyperdrive names its blobs core (in its header,
      // or by its manifest), and lists its files, through its own API.
      if (bee && kind !== 'bee') {
        const found = await driveBlobs(ctx.store, key, encryptionKey, kind === undefined)
        if (found && (kind === 'drive' || found.files)) {
          detected = 'drive'
          blobs = found.blobs
        }
      }
      if (detected === 'drive' && !blobs) {
        throw new DatSdkError(
          'INVALID_KEY',
          `${toShort(key)} is not a drive (it names no blobs core)`,
        )
      }
    }
    if (detected === 'autobase') {
      await close()
      return 'autobase'
    }
    if (detected === 'drive' && blobs) owned.push(ctx.store.get({ key: blobs }, opts))
    const held = topic
    // The same list on every tick (the seed asks four times a second): the cores are all here.
    const cores = owned.map(asSeedCore)
    return {
      kind: detected,
      key,
      cores: () => cores,
      // The topic joined above is the seed's: handed over, destroyed when the seed closes.
      announce: () => held,
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** An Autobase's cores now: its system and view cores (as views), its local and writer cores. */
function baseCores(
  store: Store,
  autobase: Base<unknown, unknown, unknown>['autobase'],
  views: Map<string, Hypercore<unknown>>,
): SeedCore[] {
  const out: SeedCore[] = []
  if (!autobase.opened || autobase.closing) return out
  for (const view of autobase.views()) {
    const id = toHex(view.key)
    let core = views.get(id)
    if (!core) views.set(id, (core = store.get({ key: view.key })))
    out.push({ core, view: true })
  }
  out.push({ core: autobase.local })
  for (const writer of autobase.activeWriters) out.push({ core: writer.core })
  return out
}

async function firstBlock(core: Hypercore<unknown>, timeout: number): Promise<Uint8Array> {
  try {
    const block = await core.get(0, { timeout, valueEncoding: 'binary' })
    if (block instanceof Uint8Array) return block
  } catch (err) {
    if (isCode(err, 'REQUEST_TIMEOUT')) {
      throw new DatSdkError(
        'PEER_TIMEOUT',
        `No peer sent the first block of ${toShort(core.key)} within ${timeout} ms`,
        { cause: err },
      )
    }
    throw err
  }
  throw new DatSdkError('PEER_TIMEOUT', `No peer sent the first block of ${toShort(core.key)}`)
}

/** Whether a core's block 0 is a hyperbee header (a bee's, or a drive's db). */
async function isBeeHeader(core: Hypercore<unknown>): Promise<boolean> {
  const bee = new Hyperbee(core.session())
  try {
    const header = await bee.getHeader()
    return header?.protocol === 'hyperbee'
  } catch {
    return false
  } finally {
    await bee.close().catch(noop)
  }
}

/**
 * Opens the bee at `key` as a drive, for what hyperdrive knows of it: the key of its blobs core,
 * and (when `listFiles`) whether it holds a file, which tells a drive from a plain bee.
 */
async function driveBlobs(
  store: Store,
  key: Uint8Array,
  encryptionKey: Uint8Array | null,
  listFiles: boolean,
): Promise<{ blobs: Uint8Array; files: boolean } | null> {
  const drive = new Drive(store, key, encryptionKey ? { encryptionKey } : {})
  try {
    await drive.ready()
    let files = false
    if (listFiles) {
      for await (const entry of drive.list('/', { recursive: true })) {
        files = entry.value.blob !== null || entry.value.linkname !== null
        break
      }
    }
    const blobs = await drive.hyperdrive.getBlobs()
    return blobs ? { blobs: blobs.core.key!, files } : null
  } catch {
    return null
  } finally {
    await drive.close().catch(noop)
  }
}

function asSeedCore(core: Hypercore<unknown>): SeedCore {
  return { core }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}

function toShort(key: Uint8Array | null): string {
  return key ? `${toHex(key).slice(0, 8)}…` : 'the core'
}

function noop(): void {}
