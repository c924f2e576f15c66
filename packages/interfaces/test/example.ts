// The README's example, type-checked by `pnpm typecheck` (readme.test.ts checks the README shows
// exactly this file).
import type { ExtensionHost, Extension, ExtensionHandlers, Listener } from '@dat-sdk/interfaces'

/** Counts the peers of any host: a raw hypercore, a Core, a Drive, a Bee, a Networker. */
export function countPeers<P extends object>(host: ExtensionHost<P>): () => number {
  let count = 0
  const peers = typeof host.peers === 'function' ? host.peers() : host.peers
  count = peers.length
  host.on('peer-add', () => count++)
  host.on('peer-remove', () => count--)
  return () => count
}

/** A typed extension: what `registerExtension<M>()` takes and gives on every host kind. */
export type Chat = { text: string }
export type ChatHandlers<P> = ExtensionHandlers<Chat, P>
export type ChatExtension<P> = Extension<Chat, P>

/** A listener typed by an event map: `Listener<CoreEvents, 'peer-add'>` is `(peer) => void`. */
export type OnChange = Listener<{ change: [list: Uint8Array[]] }, 'change'>
