// The event map of every public class of the SDK, in one place. Maps that carry the SDK's own
// objects (a hypercore, a feed) take them as type parameters, so this package needs none of them.
import type { SdkError } from './errors.js'
import type { LifecycleEvents } from './events.js'
import type { NetworkPeer, NetworkPeerLike } from './networker.js'
import type { Peer } from './peer.js'

/** `Core`'s events (and `Drive`'s and `Bee`'s: the same, on their core). */
export interface CoreEvents<P = Peer> extends LifecycleEvents {
  /** A peer started replicating this core. */
  'peer-add': [peer: P]
  /** A peer stopped replicating this core. */
  'peer-remove': [peer: P]
  /** A message on one of the names in `opts.extensions`. */
  extension: [name: string, message: Uint8Array, peer: P]
  /** A remote sent something that did not decode, or a handler threw (`BAD_MESSAGE`). */
  'extension-error': [err: SdkError, peer?: P]
  /** The core (or drive, or bee) has new data. */
  append: []
  /** Blocks are downloading: the part's stats (throttled; once more after the last block). */
  progress: [stats: TransferStats]
}

/** `Drive`'s events: `Core`'s, for the drive's db core. */
export type DriveEvents<P = Peer> = CoreEvents<P>

/** `Store`'s events: a core opened through it (or a namespace of it), and its last session closed. */
export interface StoreEvents<C> extends LifecycleEvents {
  /** A core was opened through the store. */
  core: [core: C]
  /** A core's last session through the store closed. */
  'core-close': [core: C]
}

/** `Networker`'s events. */
export interface NetworkerEvents<P = NetworkPeer> extends LifecycleEvents {
  /** A peer connected (one per remote, however many topics are shared). */
  'peer-add': [peer: P]
  /** A connected peer went away. */
  'peer-remove': [peer: P]
  /** A joined topic went round the DHT once. */
  flushed: [topic: Uint8Array]
  /** An extension message from a peer failed to decode or its handler threw (code `BAD_MESSAGE`); the connection lives on. */
  'extension-error': [err: SdkError, peer?: P]
}

/** `Gossip`'s events. */
export interface GossipEvents<P = unknown> extends LifecycleEvents {
  /** The live set changed (a key arrived, was advertised or was deleted); once per batch. */
  change: [list: Uint8Array[]]
  /** A remote sent something gossip refused (`BAD_MESSAGE`, `MESSAGE_TOO_LARGE`, `TOO_MANY_KEYS`). */
  'extension-error': [err: SdkError, peer?: P]
}

/** Who a multifeed replication error or handshake came from. */
export interface MultifeedPeer extends Partial<Pick<NetworkPeerLike, 'remoteAddress'>> {
  /** The replication stream (the one `replicate()` returned, or the connection for `join()`). */
  readonly stream: NonNullable<NetworkPeerLike['stream']>
  /** The remote's Noise public key, once the connection is established. */
  readonly remotePublicKey: Uint8Array | null
}

/** `Multifeed`'s events; `F` is its feed type (a hypercore). */
export interface MultifeedEvents<F> extends LifecycleEvents {
  /** A feed joined the set (ours or a remote's), with its local name for our own. */
  feed: [feed: F, name: string | null]
  /** A remote's manifest was received and its feeds are being fetched. */
  'remote-feeds': []
  /** The remote's handshake `userData`. */
  handshake: [userData: Uint8Array | null, peer: MultifeedPeer]
  /** An extension message from a peer failed to decode or its handler threw (code `BAD_MESSAGE`); the connection lives on. */
  'extension-error': [err: SdkError, peer?: MultifeedPeer]
}

/** `Base`'s events (`@dat-sdk/autobase`); `P` is the peer a pairing error came from. */
export interface BaseEvents<P = unknown> extends LifecycleEvents {
  /** The view changed (a local write, or writes that arrived were applied). */
  update: []
  /** This peer became a writer. */
  writable: []
  /** This peer was removed as a writer. */
  unwritable: []
  /** A pairing peer sent something that did not decode (`BAD_MESSAGE`). */
  'extension-error': [err: SdkError, peer?: P]
  /** Autobase failed underneath (emitted only while someone listens). */
  error: [err: Error]
  /** Blocks are downloading: the base's stats (throttled; once more after the last block). */
  progress: [stats: TransferStats]
}

/**
 * What a part has and has moved (`stats()`, `'progress'` events). Bytes are block payload bytes
 * (what hypercore's `byteLength` counts, without encryption padding), not wire bytes.
 */
export interface TransferStats {
  /** Blocks in the part's cores (their length). */
  blocks: number
  /** How many of those blocks are stored here. */
  localBlocks: number
  /** Payload bytes in the part's cores (their byteLength). */
  byteLength: number
  /** Payload bytes of the blocks downloaded since the part opened. */
  downloadedBytes: number
  /** Payload bytes of the blocks uploaded to peers since the part opened. */
  uploadedBytes: number
  /** Blocks downloaded since the part opened (each counted once). */
  downloadedBlocks: number
  /** Blocks uploaded to peers since the part opened. */
  uploadedBlocks: number
  /** Peers replicating the part right now. */
  peers: number
  /** Bytes per second downloaded over the last few seconds (since the first block, if sooner). */
  downloadSpeed: number
  /** Bytes per second uploaded over the last few seconds (since the first block, if sooner). */
  uploadSpeed: number
}

/** What moved over one connection (a replication stream), in payload bytes. */
export interface ConnectionTransfer {
  /** The Noise public key of the peer at the other end. */
  remotePublicKey: Uint8Array
  /** Payload bytes downloaded over this connection. */
  downloadedBytes: number
  /** Payload bytes uploaded over this connection. */
  uploadedBytes: number
}

/** How far a folder sync pass has got: files and bytes done, and the pass's totals. */
export interface SyncProgress {
  /** Files copied so far. */
  files: number
  /** Bytes copied so far. */
  bytes: number
  /** Files to copy in all, when known. */
  totalFiles?: number
  /** Bytes to copy in all, when known. */
  totalBytes?: number
}

/** What one pass changed on the receiving side, as drive paths (`/a/b.txt`). */
export interface SyncResult {
  /** Paths that are new on the target. */
  added: string[]
  /** Paths whose content changed on the target. */
  changed: string[]
  /** Paths removed from the target. */
  removed: string[]
}

/**
 * A file a folder sync could not read or write (`FILE_UNREADABLE`, `FILE_UNWRITABLE`; a `.dat`
 * naming another drive is `INVALID_KEY`): `path` in the drive (`/` for a whole pass), `filename` on disk.
 */
export interface FileSyncError extends SdkError {
  /** The path of the file inside the folder or drive. */
  readonly path: string
  /** The file's name on disk. */
  readonly filename: string
}

/** `FolderSync`'s events. */
export interface FolderSyncEvents extends LifecycleEvents {
  /** Emitted as files are copied. */
  progress: [progress: SyncProgress]
  /** Emitted when a pass finishes, with what it changed. */
  synced: [result: SyncResult]
  /** A file could not be read or written (`FILE_UNREADABLE`, `FILE_UNWRITABLE`); the sync goes on. */
  error: [err: FileSyncError]
}

/** A `Seed`'s events (`@dat-sdk/seeding`): its status changed (throttled). */
export interface SeedEvents<S = unknown> extends LifecycleEvents {
  /** Emitted when the seed's status changes. */
  status: [status: S]
}
