// Opening the parts that live on one core: `sdk.Hypercore()`, `sdk.Hyperdrive()`, `sdk.Hyperbee()`.
import type { CoreOptions } from '@dat-sdk/core-wrapper'
import {
  DatSdkError,
  parseRef,
  toEncryptionKey,
  type Hypercore,
  type HypercoreOptions,
} from '@dat-sdk/store'
import { SDKBee, type SDKBeeOptions } from './bee.js'
import type { OpenContext } from './context.js'
import type { SDKCoreOptions, SDKDriveOptions, SDKRef } from './options.js'
import { SDKCore, SDKDrive } from './parts.js'
import { keyRef, refsOf } from './refs.js'

export function openCore<T>(ctx: OpenContext, ref?: SDKRef, opts: SDKCoreOptions = {}): SDKCore<T> {
  const { extensions, handshakeTimeout, encryptionKey: keyLike, ...rest } = opts
  const encryptionKey = toEncryptionKey(keyLike)
  const hypercoreOpts: HypercoreOptions = encryptionKey
    ? { ...rest, encryption: { key: encryptionKey } }
    : rest
  const coreOpts: CoreOptions = {}
  if (extensions) coreOpts.extensions = extensions
  if (handshakeTimeout !== undefined) coreOpts.handshakeTimeout = handshakeTimeout
  const parsed = parseRef(ref)
  const hook = (core: SDKCore<T>) => ctx.partOpened(core, ctx.caches.cores, core.hypercore)

  if (parsed === null) {
    const core = new SDKCore<T>(ctx.store.get<T>(null, hypercoreOpts), coreOpts, hook)
    return ctx.track(core, [ctx.store], ctx.caches.cores, [])
  }
  if ('folder' in parsed) {
    throw new DatSdkError('INVALID_KEY', `${parsed.folder} is a folder: open it with Hyperdrive()`)
  }
  const refs = refsOf(parsed)
  const derived = 'name' in parsed ? ctx.store.keyFor(parsed.name) : null
  if (derived) refs.unshift(keyRef(derived))
  // Each kind has its own cache, so what it holds is a core (of whatever value type the caller asks).
  const cached = ctx.caches.cores.get(refs, encryptionKey) as SDKCore<T> | null
  if (cached) return cached
  const getRef =
    'domain' in parsed
      ? { key: ctx.resolveDomain(parsed.domain) }
      : 'name' in parsed
        ? { name: parsed.name }
        : { key: parsed.key }
  const core = new SDKCore<T>(ctx.store.get<T>(getRef, hypercoreOpts), coreOpts, hook)
  ctx.track(core, [ctx.store], ctx.caches.cores, refs)
  ctx.caches.cores.setEncryptionKey(core, encryptionKey)
  return core
}

export function openDrive(ctx: OpenContext, ref?: SDKRef, opts: SDKDriveOptions = {}): SDKDrive {
  const { sync, ...driveOpts } = opts
  const encryptionKey = toEncryptionKey(driveOpts.encryptionKey)
  const parsed = parseRef(ref)
  const hook = (drive: SDKDrive) =>
    ctx.partOpened(drive, ctx.caches.drives, drive.hyperdrive.core as Hypercore<unknown>)

  if (parsed === null) {
    return ctx.track(
      new SDKDrive(ctx.store, null, driveOpts, hook),
      [ctx.store],
      ctx.caches.drives,
      [],
    )
  }
  const refs = refsOf(parsed)
  // Each kind has its own cache, so what it holds is a drive.
  const cached = ctx.caches.drives.get(refs, encryptionKey) as SDKDrive | null
  if (cached) return cached
  // A domain: the drive opens at once, on the key DNS gives (through Drive's and Store's own APIs).
  const driveRef = 'domain' in parsed ? ctx.resolveDomain(parsed.domain) : (ref ?? null)
  const drive = new SDKDrive(ctx.store, driveRef, driveOpts, hook)
  ctx.track(drive, [ctx.store], ctx.caches.drives, refs)
  ctx.caches.drives.setEncryptionKey(drive, encryptionKey)
  if ('folder' in parsed && sync !== false) {
    drive.folderSync = drive.syncFolder(parsed.folder, sync)
  }
  return drive
}

export function openBee<K, V>(
  ctx: OpenContext,
  ref?: SDKRef,
  opts: SDKBeeOptions<K, V> = {},
): SDKBee<K, V> {
  const encryptionKey = toEncryptionKey(opts.encryptionKey)
  const parsed = parseRef(ref)
  const hook = (bee: SDKBee<K, V>) => ctx.partOpened(bee, ctx.caches.bees, bee.hyperbee.core)

  if (parsed === null) {
    return ctx.track(new SDKBee(ctx.store, null, opts, hook), [ctx.store], ctx.caches.bees, [])
  }
  if ('folder' in parsed) {
    throw new DatSdkError('INVALID_KEY', `${parsed.folder} is a folder: a bee has no folder`)
  }
  const refs = refsOf(parsed)
  // Each kind has its own cache, so what it holds is a bee (of the caller's encodings).
  const cached = ctx.caches.bees.get(refs, encryptionKey) as SDKBee<K, V> | null
  if (cached) return cached
  const encryption = encryptionKey ? { encryption: { key: encryptionKey } } : {}
  const bee =
    'domain' in parsed
      ? new SDKBee<K, V>(
          ctx.store.get({ key: ctx.resolveDomain(parsed.domain) }, encryption),
          null,
          opts,
          hook,
        )
      : new SDKBee<K, V>(ctx.store, ref ?? null, opts, hook)
  ctx.track(bee, [ctx.store], ctx.caches.bees, refs)
  ctx.caches.bees.setEncryptionKey(bee, encryptionKey)
  return bee
}
