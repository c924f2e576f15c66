import type { Encoding } from './encoding.js'
import type { SdkError } from './errors.js'

/** Handlers of an extension (core-level or connection-level); every one is optional. */
export interface ExtensionHandlers<M = Uint8Array, P = unknown> {
  /** `'binary'` (default), `'utf-8'`, `'json'`, a compact-encoding codec or an abstract-encoding. */
  encoding?: Encoding<M>
  /** A decoded message from `peer`. Runs synchronously: a returned promise is not awaited. */
  onmessage?(message: M, peer: P): void
  /** A message that failed to decode, or an `onmessage` that threw (code `BAD_MESSAGE`). */
  onerror?(err: SdkError, peer: P): void
}

/** A registered extension: a named message channel to the peers of its host. */
export interface Extension<M = Uint8Array, P = unknown> {
  /** The extension's name, the same on both sides of the wire. */
  readonly name: string
  /** Sends to one peer: `UNKNOWN_PEER` when it is not connected, `TypeError` when `message` does not encode. */
  send(message: M, peer: P): void
  /** Sends to every connected peer. */
  broadcast(message: M): void
  /** Stops receiving; the name stays registered while another registration of it lives. */
  destroy(): void
}

/**
 * What a consumer that parses its own bytes registers (gossip does): raw hypercore 11 crashes the
 * process on a payload its `'json'` encoding cannot decode, so such a consumer asks for binary.
 */
export interface BinaryExtensionHandlers<P = unknown> {
  /** The payload encoding: raw bytes, decoded by the caller. */
  encoding: 'binary'
  /** Called with each message a peer sends on this extension. */
  onmessage(message: Uint8Array, peer: P): void
  /** Called when a message cannot be handled (code `BAD_MESSAGE`). */
  onerror?(err: Error, peer: P): void
}

/** What a binary registration gives back: `name` is not required of a raw hypercore's extension. */
export interface HostExtension<P = unknown> {
  /** Sends `message` to one connected peer. */
  send(message: Uint8Array, peer: P): void
  /** Sends `message` to every connected peer. */
  broadcast(message: Uint8Array): void
  /** Unregisters the extension; later messages on its name are ignored. */
  destroy(): void
}

/**
 * Anything that carries extension messages to a set of peers: a raw hypercore 11 core, a `Core`,
 * a `Drive`, a `Bee`, a `Networker` (every connection, no shared core needed). `peers` is an
 * array (hypercore, Networker) or a method returning one (`Core`, `Drive`). The peer objects
 * passed to `onmessage`, `'peer-add'` and `'peer-remove'` are the same objects for one connection.
 */
export interface ExtensionHost<P extends object = object> {
  /** Registers a named extension on the host's peers and returns its handle. */
  registerExtension(name: string, handlers: BinaryExtensionHandlers<P>): HostExtension<P>
  /** The host's connected peers (a list, or a function that returns it). */
  readonly peers: readonly P[] | (() => readonly P[])
  /** Listens for peers coming and going. */
  on(event: 'peer-add' | 'peer-remove', listener: (peer: P) => void): unknown
  /** Stops listening for peers coming and going. */
  off(event: 'peer-add' | 'peer-remove', listener: (peer: P) => void): unknown
}
