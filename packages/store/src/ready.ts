import b4a from 'b4a'
import c from 'compact-encoding'
import type { Duplex } from 'node:stream'
import process from 'process'
import Protomux, { type Channel, type Message } from 'protomux'
import type { DatSdkError } from './errors.js'
import { asBadMessage } from './dispatch.js'
import { READY_PROTOCOL, decodeReady, encodeReady } from './messages.js'

/*
 * Is the remote end of a replication stream one of ours, and which extension names does it handle
 * on a core? Hypercore 11 cannot tell: its wire handshake carries no extension names, a message
 * for a name the receiver has not registered is dropped silently, and `peer.extensions` is our own
 * map. Protomux can: a mux with nothing paired for a protocol rejects a channel open at once
 * (protomux 3.12.1 `_requestSession` → `_rejectSession`, one round trip).
 *
 * So each core shared on a connection gets one channel `{ protocol: 'dat-sdk/ready@1', id:
 * discoveryKey }`, opened by core-wrapper's handshake when the core's peer is added (the probe),
 * and accepted by every mux this SDK pairs the protocol on (`ReadyLink.pair`: `Store.replicate`
 * does it for each of its streams, and a Core for each connection it sees). The remote
 *  - rejects it: it is not ours (a raw hypercore, hyper-sdk, or an older SDK): `status` 'raw';
 *  - opens it: it is ours: `status` 'ours', and each Core there announces its names on it.
 * Messages on an open channel are never dropped, so names announced before anyone here listened
 * are kept on the link. The link lives as long as the connection (and survives hypercore closing
 * and reopening its own channel for the core when idle); a remote's later probe for a core whose
 * probe it rejected flips the link to 'ours'.
 */

/** What the remote is, as far as the probe has told: see above. */
export type ReadyStatus = 'probing' | 'ours' | 'raw'

/** One who waits on a link: core-wrapper's handshake state for one peer. */
export interface ReadyListener {
  /** The status changed or the remote announced names. */
  onready(link: ReadyLink): void
  /** A malformed announcement arrived (`BAD_MESSAGE`); the link carries on. */
  onerror(err: DatSdkError, link: ReadyLink): void
}

const LINKS = Symbol('dat-sdk/ready@1 links')

/** The links hang off the mux they describe: they live exactly as long as the connection. */
type LinkedMux = Protomux & { [LINKS]?: Map<string, ReadyLink> }

function linksOf(mux: Protomux): Map<string, ReadyLink> {
  const linked: LinkedMux = mux
  let links = linked[LINKS]
  if (!links) {
    links = new Map()
    linked[LINKS] = links
  }
  return links
}

function findLink(mux: Protomux, discoveryKey: Uint8Array): ReadyLink {
  const links = linksOf(mux)
  const hex = b4a.toString(discoveryKey, 'hex')
  let link = links.get(hex)
  if (!link) {
    link = new ReadyLink(mux, discoveryKey)
    links.set(hex, link)
  }
  return link
}

/** The `dat-sdk/ready@1` channel of one core on one connection, and what came over it. */
export class ReadyLink {
  /** The connection's multiplexer the probe runs on. */
  readonly mux: Protomux
  /** The discovery key of the core being probed. */
  readonly discoveryKey: Uint8Array
  /** Where the probe is on this connection. */
  status: ReadyStatus = 'probing'
  /** The remote has announced names (over the channel or the older extension). */
  announced = false
  /** Every name the remote has announced for this core. */
  readonly names = new Set<string>()
  /** The remote spoke the older extension announcement: answer and re-announce there too. */
  legacy = false
  /** The listeners told when the status or the names change. */
  readonly listeners = new Set<ReadyListener>()

  private _channel: Channel | null = null
  private _message: Message<Uint8Array> | null = null

  /** @internal Use `ReadyLink.of()`. */
  constructor(mux: Protomux, discoveryKey: Uint8Array) {
    this.mux = mux
    this.discoveryKey = discoveryKey
  }

  /**
   * The link of core `discoveryKey` on `mux`; the first call for a pair opens the probe. Also
   * pairs the protocol on `mux`, so this connection answers the remote's probes for other cores.
   */
  static of(mux: Protomux, discoveryKey: Uint8Array): ReadyLink {
    ReadyLink.pair(mux)
    const link = findLink(mux, discoveryKey)
    if (link.status === 'probing' && link._channel === null) link._openChannel()
    return link
  }

  /** Accepts the remote's probes on `mux` for any core: "ours, no names yet". Idempotent. */
  static pair(mux: Protomux): void {
    mux.pair({ protocol: READY_PROTOCOL }, (id) => {
      if (id !== null && id.byteLength === 32) findLink(mux, id)._accept()
    })
  }

  /** Tells the remote the names this side handles (a no-op once the remote rejected the probe). */
  announce(names: string[]): void {
    if (this._message === null || this._channel === null || this._channel.closed) return
    this._message.send(encodeReady({ heard: true, names }))
  }

  /** Takes an announcement that came over the older extension. */
  receiveLegacy(names: string[]): void {
    this.legacy = true
    this._received(names)
  }

  /** A probe from the remote, while no channel of ours is open for this core. */
  private _accept(): void {
    if (this._channel !== null && !this._channel.closed) return
    this._openChannel()
  }

  private _openChannel(): void {
    const channel = this.mux.createChannel({
      protocol: READY_PROTOCOL,
      id: this.discoveryKey,
      onopen: () => this._setStatus('ours'),
      onclose: (isRemote: boolean, ch: Channel) => this._onclose(isRemote, ch),
    })
    if (channel === null) return
    this._channel = channel
    this._message = channel.addMessage<Uint8Array>({
      encoding: c.raw,
      // Synchronous and never throws: a throw here would destroy the whole connection.
      onmessage: (bytes) => this._onmessage(bytes),
    })
    channel.open()
  }

  private _onclose(isRemote: boolean, channel: Channel): void {
    if (this._channel !== channel) return
    this._channel = null
    this._message = null
    // Rejected before it opened, with the connection still up: the remote does not speak it.
    if (!channel.opened && isRemote && !this.mux.stream.destroyed) this._setStatus('raw')
  }

  private _onmessage(bytes: Uint8Array): void {
    let names: string[]
    try {
      names = decodeReady(bytes).names
    } catch (err) {
      const bad = asBadMessage(err, `A ${READY_PROTOCOL} message`)
      // No listener yet (no Core for this core here): nobody to tell, and nothing was learnt.
      for (const l of [...this.listeners]) guard(() => l.onerror(bad, this))
      return
    }
    this._received(names)
  }

  private _received(names: string[]): void {
    this.announced = true
    for (const name of names) this.names.add(name)
    this._notify()
  }

  private _setStatus(status: ReadyStatus): void {
    if (this.status === status) return
    this.status = status
    this._notify()
  }

  private _notify(): void {
    for (const l of [...this.listeners]) guard(() => l.onready(this))
  }
}

/** The mux a replication stream (hypercore's or corestore's `replicate()`) runs on, if any. */
export function muxOf(stream: Duplex): Protomux | null {
  const noise: unknown = (stream as Duplex & { noiseStream?: unknown }).noiseStream
  if (typeof noise !== 'object' || noise === null) return null
  const mux: unknown = (noise as { userData?: unknown }).userData
  return Protomux.isProtomux(mux) ? mux : null
}

/** Runs a listener without letting its throw reach protomux (which would destroy the connection). */
function guard(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    process.nextTick(() => {
      throw err
    })
  }
}
