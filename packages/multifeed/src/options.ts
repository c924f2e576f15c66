// The public options and error shapes of a Multifeed (the class itself is in multifeed.ts).
import type { DatSdkError, HypercoreOptions, KeyLike, KeyPair } from '@dat-sdk/store'

export type ValueEncoding = NonNullable<HypercoreOptions['valueEncoding']>

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

export interface WriterOptions {
  /** Make the writer with this key pair instead of one derived from its name. */
  keyPair?: KeyPair
}

export interface ReplicateOptions {
  /** Keep replicating, and announce feeds created later (default false: end once in sync). */
  live?: boolean
  /** Sent to the remote in the handshake; it arrives as the remote's `'handshake'` event. */
  userData?: Uint8Array
}

/** `ERR_VERSION_MISMATCH`: the remote speaks another major version of the exchange. */
export interface VersionMismatchError extends DatSdkError {
  code: 'ERR_VERSION_MISMATCH'
  usVersion: string
  themVersion: string
}

/** `ERR_CLIENT_MISMATCH`: the remote is not a multifeed. */
export interface ClientMismatchError extends DatSdkError {
  code: 'ERR_CLIENT_MISMATCH'
  usClient: string
  themClient: string
}
