/// <reference path="../../../networker/types/secret-stream.d.ts" />
// A networker written for the tests: plain TCP on 127.0.0.1 with Noise on top
// (@hyperswarm/secret-stream), so corestore replication and protomux run on it unchanged. It proves
// the SDK's networking seam (`opts.networker`) takes any transport with the NetworkerLike shape.
// Discovery is an in-process directory (topic -> listening ports) the test shares between SDKs.
import { EventEmitter } from 'node:events'
import net from 'node:net'
import b4a from 'b4a'
import c from 'compact-encoding'
import Protomux, { type Channel } from 'protomux'
import SecretStream from '@hyperswarm/secret-stream'
import { DatSdkError, resolveEncoding, toHex } from '@dat-sdk/store'
import type { Extension, ExtensionHandlers, NetworkerLike, SdkError } from '@dat-sdk/interfaces'

interface Listing {
  port: number
  publicKey: Uint8Array
}

/**
 * Who announces which topic, and who looks it up: a DHT for one test process. It also knows which
 * pairs of networkers are connected (or dialling), so two that find each other on several topics,
 * or both ways, dial once.
 */
export class TcpDirectory {
  private readonly _announced = new Map<string, Map<TcpNetworker, Listing>>()
  private readonly _lookups = new Map<string, Set<TcpNetworker>>()
  private readonly _pairs = new Set<string>()

  announce(topic: string, who: TcpNetworker, listing: Listing): void {
    let list = this._announced.get(topic)
    if (!list) this._announced.set(topic, (list = new Map()))
    list.set(who, listing)
    for (const looker of this._lookups.get(topic) ?? []) this._maybeDial(looker, who, listing)
  }

  lookup(topic: string, who: TcpNetworker): Promise<void>[] {
    let set = this._lookups.get(topic)
    if (!set) this._lookups.set(topic, (set = new Set()))
    set.add(who)
    const dials: Promise<void>[] = []
    for (const [announcer, listing] of this._announced.get(topic) ?? []) {
      dials.push(this._maybeDial(who, announcer, listing))
    }
    return dials
  }

  leave(topic: string, who: TcpNetworker): void {
    this._announced.get(topic)?.delete(who)
    this._lookups.get(topic)?.delete(who)
  }

  /** The connection between these two ended: they may dial again. */
  forget(a: Uint8Array, b: Uint8Array): void {
    this._pairs.delete(pairKey(a, b))
  }

  private async _maybeDial(
    looker: TcpNetworker,
    announcer: TcpNetworker,
    listing: Listing,
  ): Promise<void> {
    if (looker === announcer) return
    const key = pairKey(looker.publicKey, announcer.publicKey)
    if (this._pairs.has(key)) return
    this._pairs.add(key)
    if (!(await looker._dial(listing))) this._pairs.delete(key)
  }
}

function pairKey(a: Uint8Array, b: Uint8Array): string {
  const [x, y] = [toHex(a), toHex(b)].sort()
  return x + y
}

export interface TcpPeer {
  readonly remotePublicKey: Uint8Array
  readonly remoteAddress: string | null
  readonly stream: SecretStream
}

interface Connection {
  peer: TcpPeer
  mux: Protomux
  channels: Map<string, Channel>
}

interface Registration {
  name: string
  codec: { encode(m: unknown): Uint8Array; decode(b: Uint8Array): unknown }
  onmessage?(message: unknown, peer: TcpPeer): void
  onerror?(err: SdkError, peer: TcpPeer): void
}

const PROTOCOL = 'sdk-test/tcp-ext'

export class TcpNetworker extends EventEmitter implements NetworkerLike<TcpPeer> {
  readonly keyPair = SecretStream.keyPair()
  private readonly _server = net.createServer((socket) => this._onsocket(socket, false))
  private readonly _connections = new Map<string, Connection>()
  private readonly _sockets = new Set<net.Socket>()
  private readonly _topics = new Set<string>()
  private readonly _extensions = new Map<string, Set<Registration>>()
  private _listening: Promise<void> | null = null
  private _closing: Promise<void> | null = null

  readonly store: { replicate(stream: SecretStream): unknown }
  readonly directory: TcpDirectory

  constructor(store: { replicate(stream: SecretStream): unknown }, directory: TcpDirectory) {
    super()
    this.store = store
    this.directory = directory
  }

  get publicKey(): Uint8Array {
    return this.keyPair.publicKey
  }

  get peers(): TcpPeer[] {
    return [...this._connections.values()].map((c) => c.peer)
  }

  listen(): Promise<void> {
    this._listening ??= new Promise((resolve) => this._server.listen(0, '127.0.0.1', resolve))
    return this._listening
  }

  async configure(
    discoveryKey: Uint8Array,
    {
      announce = true,
      lookup = true,
    }: { announce?: boolean; lookup?: boolean; flush?: boolean } = {},
  ): Promise<void> {
    if (this._closing) throw new DatSdkError('CLOSED', 'closed')
    const topic = toHex(discoveryKey)
    this.directory.leave(topic, this)
    this._topics.delete(topic)
    if (!announce && !lookup) return
    this._topics.add(topic)
    const dials = lookup ? this.directory.lookup(topic, this) : []
    if (announce) {
      await this.listen()
      const port = (this._server.address() as net.AddressInfo).port
      this.directory.announce(topic, this, { port, publicKey: this.publicKey })
    }
    await Promise.all(dials)
  }

  registerExtension<M = Uint8Array>(
    name: string,
    handlers: ExtensionHandlers<M, TcpPeer> = {},
  ): Extension<M, TcpPeer> {
    const reg: Registration = {
      name,
      codec: resolveEncoding(handlers.encoding) as Registration['codec'],
      onmessage: handlers.onmessage as Registration['onmessage'],
      onerror: handlers.onerror,
    }
    let set = this._extensions.get(name)
    if (!set) this._extensions.set(name, (set = new Set()))
    set.add(reg)
    for (const conn of this._connections.values()) this._channel(conn, name)
    return {
      name,
      send: (message: M, peer: TcpPeer) => {
        const conn = this._connections.get(toHex(peer.remotePublicKey))
        if (!conn) throw new DatSdkError('UNKNOWN_PEER', 'not connected')
        this._channel(conn, name).messages[0].send(reg.codec.encode(message))
      },
      broadcast: (message: M) => {
        const bytes = reg.codec.encode(message)
        for (const conn of this._connections.values())
          this._channel(conn, name).messages[0].send(bytes)
      },
      destroy: () => {
        set.delete(reg)
      },
    }
  }

  close(): Promise<void> {
    this._closing ??= (async () => {
      for (const topic of this._topics) this.directory.leave(topic, this)
      this._topics.clear()
      const closed = [...this._sockets].map(
        (s) =>
          new Promise<void>((resolve) =>
            s.destroyed ? resolve() : s.once('close', () => resolve()),
          ),
      )
      for (const conn of this._connections.values()) conn.peer.stream.destroy()
      for (const s of this._sockets) s.destroy()
      await Promise.all(closed)
      if (this._listening) await new Promise<void>((resolve) => this._server.close(() => resolve()))
    })()
    return this._closing
  }

  /** @internal Called by the directory when a topic we look up gets a new announcer. */
  /** Resolves whether the pair is connected once the dial settled. */
  _dial(listing: Listing): Promise<boolean> {
    if (this._closing || b4a.equals(listing.publicKey, this.publicKey))
      return Promise.resolve(false)
    if (this._connections.has(toHex(listing.publicKey))) return Promise.resolve(true)
    return new Promise((resolve) => {
      const socket = net.connect(listing.port, '127.0.0.1')
      socket.once('connect', () => {
        const stream = this._onsocket(socket, true)
        if (!stream) return resolve(false)
        stream.opened.then(
          (opened) => resolve(opened),
          () => resolve(false),
        )
      })
      socket.once('error', () => resolve(false))
    })
  }

  private _onsocket(socket: net.Socket, initiator: boolean): SecretStream | null {
    socket.on('error', () => {})
    if (this._closing) {
      socket.destroy()
      return null
    }
    this._sockets.add(socket)
    socket.once('close', () => this._sockets.delete(socket))
    const stream = new SecretStream(initiator, socket, { keyPair: this.keyPair })
    stream.on('error', () => {})
    stream.opened.then((opened: boolean) => {
      if (opened) this._onopen(stream, socket)
    })
    return stream
  }

  private _onopen(stream: SecretStream, socket: net.Socket): void {
    const remotePublicKey = stream.remotePublicKey
    if (this._closing || !remotePublicKey) {
      stream.destroy()
      return
    }
    const key = toHex(remotePublicKey)
    const existing = this._connections.get(key)
    if (existing) {
      // Two connections to one peer: both ends keep the one dialled by the larger key.
      const weAreLarger = b4a.compare(this.publicKey, remotePublicKey) > 0
      if (stream.isInitiator !== weAreLarger) {
        stream.destroy()
        return
      }
      this._drop(key, existing)
      existing.peer.stream.destroy()
    }
    this.store.replicate(stream)
    const peer: TcpPeer = {
      remotePublicKey,
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      stream,
    }
    const conn: Connection = { peer, mux: Protomux.from(stream), channels: new Map() }
    this._connections.set(key, conn)
    for (const name of this._extensions.keys()) this._channel(conn, name)
    stream.once('close', () => this._drop(key, conn))
    this.emit('peer-add', peer)
  }

  private _drop(key: string, conn: Connection): void {
    if (this._connections.get(key) !== conn) return
    this._connections.delete(key)
    this.directory.forget(this.publicKey, conn.peer.remotePublicKey)
    this.emit('peer-remove', conn.peer)
  }

  private _channel(conn: Connection, name: string): Channel {
    const existing = conn.channels.get(name)
    if (existing && !existing.closed) return existing
    const channel = conn.mux.createChannel({
      protocol: PROTOCOL,
      id: b4a.from(name),
      messages: [
        {
          encoding: c.raw,
          onmessage: (bytes: unknown) => this._onmessage(conn, name, bytes as Uint8Array),
        },
      ],
    })
    if (!channel) throw new Error(`could not open the ${name} channel`)
    conn.channels.set(name, channel)
    channel.open()
    return channel
  }

  private _onmessage(conn: Connection, name: string, bytes: Uint8Array): void {
    for (const reg of this._extensions.get(name) ?? []) {
      let message: unknown
      try {
        message = reg.codec.decode(bytes)
      } catch (err) {
        reg.onerror?.(err as DatSdkError, conn.peer)
        continue
      }
      try {
        reg.onmessage?.(message, conn.peer)
      } catch (err) {
        reg.onerror?.(new DatSdkError('BAD_MESSAGE', 'onmessage threw', { cause: err }), conn.peer)
      }
    }
  }
}
