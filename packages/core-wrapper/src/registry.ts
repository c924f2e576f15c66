import type {
  Extension as SeamExtension,
  ExtensionHandlers as SeamHandlers,
} from '@dat-sdk/interfaces'
import {
  DatSdkError,
  dispatchMessage,
  resolveEncoding,
  type Hypercore,
  type HypercorePeer,
  type MessageCodec,
} from '@dat-sdk/store'
import type { HypercoreExtension } from 'hypercore'
import type { Peer } from './peer.js'
import { rethrowLater } from './handshake.js'

/** Handlers of a core extension: `Peer`s of this core, `BAD_MESSAGE` to `onerror`. */
export type ExtensionHandlers<M = Uint8Array> = SeamHandlers<M, Peer>

/** A registered core extension (`Core.registerExtension()`). */
export type Extension<M = Uint8Array> = SeamExtension<M, Peer>

/** What the registry asks of the `Core` it belongs to. */
export interface RegistryHost {
  /** The `Peer` for `raw`, added if it is new (a message can beat 'peer-add'); null when closing. */
  admit(raw: HypercorePeer): Peer | null
  /** Sends to one peer of the Core (through its handshake); `UNKNOWN_PEER` when it is not one. */
  sendTo(peer: Peer, name: string, bytes: Uint8Array): void
  /** Sends to every peer of the Core. */
  broadcast(name: string, bytes: Uint8Array): void
  /** Throws `CLOSED` once the Core is closing. */
  checkOpen(): void
  /** A registration's failure, for the Core's `'extension-error'`. */
  report(err: DatSdkError, peer: Peer): void
  /** The Core handles a new name: tell the peers. */
  announce(): void
}

/** One `registerExtension()` call: its codec and handlers. */
interface Registration {
  readonly name: string
  readonly codec: MessageCodec<unknown>
  /** Decodes and delivers a peer's bytes to this registration's handlers. */
  readonly deliver: (bytes: Uint8Array, peer: Peer) => void
  destroyed: boolean
}

/** Every registration of one name, behind the one hypercore extension that carries it. */
interface NameEntry {
  raw: HypercoreExtension<Uint8Array>
  regs: Registration[]
}

/**
 * The extensions of one `Core`: one raw hypercore extension per name (binary on the wire), any
 * number of registrations of it, each decoding with its own encoding. Delivery goes through the
 * SDK's one dispatch (`dispatchMessage` in @dat-sdk/store): a payload that does not decode, or a
 * handler that throws, is `BAD_MESSAGE` to `onerror` and `'extension-error'`, never a crash.
 */
export class ExtensionRegistry {
  private readonly _session: Hypercore<unknown>
  private readonly _host: RegistryHost
  private readonly _names = new Map<string, NameEntry>()

  constructor(session: Hypercore<unknown>, host: RegistryHost) {
    this._session = session
    this._host = host
  }

  /** The names registered now. */
  names(): IterableIterator<string> {
    return this._names.keys()
  }

  register<M>(name: string, handlers: ExtensionHandlers<M>): Extension<M> {
    const codec = resolveEncoding<M>(handlers.encoding)
    const host = this._host
    const reg: Registration = {
      name,
      codec: codec as MessageCodec<unknown>,
      deliver: (bytes, peer) =>
        dispatchMessage(name, codec, handlers, bytes, peer, (err, p) => host.report(err, p)),
      destroyed: false,
    }
    let entry = this._names.get(name)
    if (!entry) {
      const raw = this._session.registerExtension<Uint8Array>(name, {
        encoding: 'binary',
        onmessage: (bytes, rawPeer) => this._onmessage(name, bytes, rawPeer),
      })
      entry = { raw, regs: [reg] }
      this._names.set(name, entry)
      // Tell every peer we now handle this name, so queued messages for it can flow.
      host.announce()
    } else {
      entry.regs.push(reg)
    }
    return this._extension<M>(reg)
  }

  /** The codec of the first registration of `name` (what `core.extension(name, m)` encodes with). */
  codecOf(name: string): MessageCodec<unknown> {
    const reg = this._names.get(name)?.regs[0]
    if (!reg) {
      throw new TypeError(
        `No extension named ${JSON.stringify(name)} on this core: list it in opts.extensions or registerExtension() it`,
      )
    }
    return reg.codec
  }

  /** Drops every registration (the Core is closing). */
  destroy(): void {
    for (const entry of this._names.values()) {
      for (const reg of entry.regs) reg.destroyed = true
      entry.raw.destroy()
    }
    this._names.clear()
  }

  private _extension<M>(reg: Registration): Extension<M> {
    const host = this._host
    const check = (): void => {
      if (reg.destroyed) throw new DatSdkError('CLOSED', 'The extension is closed')
      host.checkOpen()
    }
    return {
      name: reg.name,
      send(message: M, peer: Peer): void {
        check()
        host.sendTo(peer, reg.name, encodeOrThrow(reg.codec, message))
      },
      broadcast(message: M): void {
        check()
        host.broadcast(reg.name, encodeOrThrow(reg.codec, message))
      },
      destroy: () => this._unregister(reg),
    }
  }

  private _unregister(reg: Registration): void {
    if (reg.destroyed) return
    reg.destroyed = true
    const entry = this._names.get(reg.name)
    if (!entry) return
    entry.regs = entry.regs.filter((r) => r !== reg)
    if (entry.regs.length === 0) {
      entry.raw.destroy()
      this._names.delete(reg.name)
    }
  }

  private _onmessage(name: string, bytes: Uint8Array, raw: HypercorePeer): void {
    try {
      const peer = this._host.admit(raw)
      const named = this._names.get(name)
      if (!peer || !named) return
      for (const reg of [...named.regs]) if (!reg.destroyed) reg.deliver(bytes, peer)
    } catch (err) {
      // dispatchMessage never throws; a throwing 'peer-add' listener might. Not into hypercore.
      rethrowLater(err)
    }
  }
}

/** Encodes an outgoing message: a message that does not fit is the caller's `TypeError`. */
export function encodeOrThrow(codec: MessageCodec<unknown>, message: unknown): Uint8Array {
  let bytes: unknown
  try {
    bytes = codec.encode(message)
  } catch (err) {
    if (err instanceof TypeError) throw err
    throw new TypeError(`The message does not fit the extension's encoding`, { cause: err })
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`The extension's encoding did not produce bytes`)
  }
  return bytes
}
