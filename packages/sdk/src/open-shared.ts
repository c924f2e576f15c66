// Opening what the SDK shares out of its store and networker: `sdk.Corestore()`, `sdk.Gossip()`,
// `sdk.Multifeed()` and `sdk.Autobase()`.
import crypto from 'crypto'
import b4a from 'b4a'
import type { Base } from '@dat-sdk/autobase'
import { Gossip, type GossipOptions } from '@dat-sdk/gossip'
import { Multifeed, type MultifeedOptions } from '@dat-sdk/multifeed'
import { Store, layout, toEncryptionKey, type KeyLike } from '@dat-sdk/store'
import type { ExtensionHost, NetworkPeerLike } from '@dat-sdk/interfaces'
import { baseRefs, openBase as makeBase, pairingFor, type SDKBaseOptions } from './base.js'
import type { Closable } from './closing.js'
import type { OpenContext } from './context.js'
import { keyRef } from './refs.js'

export function openStore(ctx: OpenContext, name?: string | null): Store {
  if (name !== undefined && name !== null && (typeof name !== 'string' || name === '')) {
    throw new TypeError('Corestore() takes a non-empty name, or nothing for a fresh namespace')
  }
  const label = name ?? b4a.toString(crypto.randomBytes(16), 'hex')
  const cached = ctx.caches.stores.get([label])
  if (cached) return cached
  const store = ctx.store.namespace(layout.corestore(label))
  return ctx.track(store, [ctx.store], ctx.caches.stores, [label])
}

export function openGossip<P extends object>(
  ctx: OpenContext,
  host: ExtensionHost<P> | null | undefined,
  opts?: GossipOptions<P>,
): Gossip<P> | Gossip<NetworkPeerLike> {
  if (host) {
    // On a part of this SDK, the gossip set closes before it (a host of the caller's stays theirs).
    const dependsOn = isClosable(host) ? [host] : []
    return ctx.track(new Gossip<P>(host, opts), dependsOn)
  }
  // Without a host, the options speak of the networker's peers (the factory types it so).
  const gossip = new Gossip<NetworkPeerLike>(ctx.networker, opts as GossipOptions<NetworkPeerLike>)
  return ctx.track(gossip, [ctx.networker])
}

export function openMultifeed<T>(
  ctx: OpenContext,
  ref: string | Store,
  opts: MultifeedOptions = {},
): Multifeed<T> {
  let storage: Store
  let refs: string[] = []
  if (typeof ref === 'string') {
    if (ref === '') throw new TypeError('A multifeed name cannot be empty')
    refs = [ref]
    // Each kind has its own cache, so what it holds is a multifeed (of the caller's value type).
    const cached = ctx.caches.multifeeds.get(refs) as Multifeed<T> | null
    if (cached) return cached
    storage = ctx.track(ctx.store.namespace(layout.multifeed(ref)), [ctx.store])
  } else if (ref instanceof Store) {
    storage = ref
  } else {
    throw new TypeError('Multifeed() takes a name or a Store')
  }
  const multifeed = new Multifeed<T>(storage, opts)
  ctx.track(multifeed, [storage, ctx.networker], ctx.caches.multifeeds, refs)
  if (typeof ref === 'string') multifeed.once('close', () => void storage.close().catch(noop))
  if (ctx.autoJoin) ctx.joins.track(multifeed, multifeed.join(ctx.net))
  return multifeed
}

export function openBase<K, T, V>(
  ctx: OpenContext,
  ref?: KeyLike | null,
  opts: SDKBaseOptions<K, T, V> = {},
): Base<K, T, V> {
  const { refs } = baseRefs(ref)
  const encryptionKey = toEncryptionKey(opts.encryptionKey)
  // Each kind has its own cache, so what it holds is a Base (of the caller's types).
  const cached = ctx.caches.bases.get(refs, encryptionKey) as Base<K, T, V> | null
  if (cached) return cached
  if (ctx.pairing === undefined) {
    ctx.pairing = pairingFor(ctx.networker)
    if (ctx.pairing) ctx.order.add(ctx.pairing, [ctx.networker])
  }
  const base = makeBase<K, T, V>(ctx.store, ref, opts, ctx.pairing)
  ctx.track(base, [ctx.store, ctx.pairing, ctx.networker], ctx.caches.bases, refs)
  ctx.caches.bases.setEncryptionKey(base, encryptionKey)
  base.ready().then(() => {
    if (base.key) ctx.caches.bases.alias(base, keyRef(base.key))
    if (!ctx.autoJoin || !base.discoveryKey || base.closing) return
    ctx.joins.join(base, base.discoveryKey, true)
  }, noop)
  return base
}

function isClosable(value: object): value is Closable {
  return typeof (value as Partial<Closable>).close === 'function'
}

function noop(): void {}
