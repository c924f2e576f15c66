// The public options and error shapes of a Multifeed (the class itself is in multifeed.ts).
import type { DatSdkError, HypercoreOptions, KeyLike, KeyPair } from '@dat-sdk/store'

/** How a feed's blocks are encoded. */
export type ValueEncoding = NonNullable<HypercoreOptions['valueEncoding']>

/** Options for a Multifeed: its encoding, encryption key and limits. */
export interface MultifeedOptions {
  /** The value encoding of every feed (hypercore's: 'binary', 'utf-8', 'json' or a codec). */
  valueEncoding?: ValueEncoding
  /**
   * The shared root key: only peers with the same key exchange feeds. It is never written to
   * disk and never sent. Without it a public default key is used.
   */
  encryptionKey?: KeyLike
  /** How many remote feeds a remote can make us open, in all (default 1,024): `TOO_MANY_FEEDS`. */
  maxFeeds?: number
  /** Chooses which remote feeds to download (default: all of them). */
  accept?(key: Uint8Array): boolean
}

/** Options for a new writer feed. */
export interface WriterOptions {
  /** Make the writer with this key pair instead of one derived from its name. */
  keyPair?: KeyPair
}

/** Options for `replicate()`. */
export interface ReplicateOptions {
  /** Keep replicating, and announce feeds created later (default false: end once in sync). */
  live?: boolean
  /** Sent to the remote in the handshake; it arrives as the remote's `'handshake'` event. */
  userData?: Uint8Array
}

/** `ERR_VERSION_MISMATCH`: the remote speaks another major version of the exchange. */
export interface VersionMismatchError extends DatSdkError {
  /** Says the peers speak different protocol versions. */
  code: 'ERR_VERSION_MISMATCH'
  /** Our protocol version. */
  usVersion: string
  /** The peer's protocol version. */
  themVersion: string
}

/** `ERR_CLIENT_MISMATCH`: the remote is not a multifeed. */
export interface ClientMismatchError extends DatSdkError {
  /** Says the peers are different multifeed clients. */
  code: 'ERR_CLIENT_MISMATCH'
  /** Our client name. */
  usClient: string
  /** The peer's client name. */
  themClient: string
}
