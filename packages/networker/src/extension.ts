import type { Extension, ExtensionHandlers, NetworkPeer } from '@dat-sdk/interfaces'
import { DatSdkError, dispatchMessage, resolveEncoding } from '@dat-sdk/store'
import type { MessageCodec } from '@dat-sdk/store'

/** Handlers of a connection-level extension; every one is optional. */
export type StreamExtensionHandlers<M> = ExtensionHandlers<M, NetworkPeer>

/**
 * A registration as the networker keeps it, whatever its message type: a name that receives bytes
 * and can be destroyed. Every `StreamExtension<M>` is one.
 */
export interface Registration {
  readonly name: string
  _receive(bytes: Uint8Array, peer: NetworkPeer): void
  destroy(): void
}

/** What a `StreamExtension` needs from its networker (kept narrow so the two stay decoupled). */
export interface ExtensionTransport {
  _sendExtension(name: string, bytes: Uint8Array, peer: NetworkPeer | null): void
  _destroyExtension(ext: Registration): void
  _reportExtensionError(err: DatSdkError, peer: NetworkPeer): void
}

/**
 * A named message channel on every connection of a networker, independent of any core. Made by
 * `networker.registerExtension(name, handlers)`.
 */
export class StreamExtension<M = Uint8Array> implements Extension<M, NetworkPeer>, Registration {
  /** The extension's name, the same on both sides of the wire. */
  readonly name: string
  private readonly _transport: ExtensionTransport
  private readonly _codec: MessageCodec<M>
  private readonly _handlers: StreamExtensionHandlers<M>
  private _destroyed = false

  /** @internal Use `networker.registerExtension()`. */
  constructor(transport: ExtensionTransport, name: string, handlers: StreamExtensionHandlers<M>) {
    this.name = name
    this._transport = transport
    this._codec = resolveEncoding<M>(handlers.encoding)
    this._handlers = handlers
  }

  /** Whether the extension has been destroyed. */
  get destroyed(): boolean {
    return this._destroyed
  }

  /** Sends `message` to one connected peer; throws `UNKNOWN_PEER` when it is not connected. */
  send(message: M, peer: NetworkPeer): void {
    this._checkOpen()
    this._transport._sendExtension(this.name, this._codec.encode(message), peer)
  }

  /** Sends `message` to every connected peer. Throws `CLOSED` once closed. */
  broadcast(message: M): void {
    this._checkOpen()
    this._transport._sendExtension(this.name, this._codec.encode(message), null)
  }

  /** Stops receiving; the channel closes on every connection once no registration of the name is left. */
  destroy(): void {
    if (this._destroyed) return
    this._destroyed = true
    this._transport._destroyExtension(this)
  }

  /** @internal Bytes from `peer` on this extension's channel: decode, deliver, never throw. */
  _receive(bytes: Uint8Array, peer: NetworkPeer): void {
    if (this._destroyed) return
    dispatchMessage(this.name, this._codec, this._handlers, bytes, peer, (err, p) =>
      this._transport._reportExtensionError(err, p),
    )
  }

  private _checkOpen(): void {
    if (this._destroyed) {
      throw new DatSdkError('CLOSED', `Extension '${this.name}' was destroyed`)
    }
  }
}
