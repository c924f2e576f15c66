// One manifest exchange on one connection: a protomux channel beside hypercore's own, opened
// with a handshake that proves the root key, then Manifest -> Request -> Answer both ways, and a
// Done each way once the first exchange is fully downloaded.
import type { Duplex } from 'node:stream'
import type { MultifeedPeer } from '@dat-sdk/interfaces'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Protomux from 'protomux'
import type { Channel, Message } from 'protomux'
import { DatSdkError, type Hypercore } from '@dat-sdk/store'
import {
  AnswerCodec,
  CLIENT,
  DoneCodec,
  HandshakeCodec,
  ManifestCodec,
  PROTOCOL,
  PROTOCOL_VERSION,
  RequestCodec,
  capability,
  decode,
  encode,
  parseMajor,
  verifyCapability,
  type Handshake,
  type ManifestEntry,
} from './messages.js'

export type { MultifeedPeer }

/** The Noise stream under a replication stream: what the session needs of it. */
export interface NoiseStreamLike extends Duplex {
  isInitiator: boolean
  handshakeHash: Uint8Array | null
  remotePublicKey?: Uint8Array | null
  opened: Promise<boolean>
  userData: unknown
}

/** What a session needs from its Multifeed (kept off the Multifeed's public surface). */
export interface SessionHost {
  readonly rootKey: Uint8Array
  readonly channelId: Uint8Array
  ready(): Promise<void>
  /** Every feed we hold and how much of it, for a manifest. */
  manifest(): ManifestEntry[]
  /** The keys of a remote manifest we want; reserves the new ones. Throws `TOO_MANY_FEEDS`. */
  want(entries: ManifestEntry[]): { keys: Uint8Array[]; reserved: string[] }
  release(reserved: string[]): void
  /** The requested keys we hold (and so will replicate). */
  have(keys: Uint8Array[]): Uint8Array[]
  /** Opens and records the remote feeds we do not have yet. */
  addRemoteFeeds(keys: Uint8Array[], from: Session): Promise<void>
  feed(key: Uint8Array): Hypercore<unknown> | undefined
  report(err: DatSdkError, peer: MultifeedPeer): void
  onhandshake(userData: Uint8Array | null, peer: MultifeedPeer): void
  onremotefeeds(session: Session): void
  onopen(session: Session): void
  onclose(session: Session): void
}

export interface SessionOptions {
  live: boolean
  userData: Uint8Array | null
  /**
   * replicate(): the stream is the user's; a fatal error destroys it with that error, and a
   * multifeed channel with another root key is `KEY_MISMATCH`. join(): the connection is shared,
   * so a fatal error closes only our channel, and other root keys are other multifeeds' business.
   */
  mode: 'replicate' | 'join'
  /** We created the stream (replicate(boolean)), so closing the Multifeed destroys it. */
  ownsStream: boolean
}

interface PendingRequest {
  keys: Uint8Array[]
  lengths: Map<string, number>
  reserved: string[]
  initial: boolean
}

type Fatal = 'ERR_VERSION_MISMATCH' | 'ERR_CLIENT_MISMATCH' | 'KEY_MISMATCH' | 'TOO_MANY_FEEDS'

export class Session {
  readonly stream: Duplex
  readonly noise: NoiseStreamLike
  readonly mux: Protomux
  readonly live: boolean
  readonly mode: 'replicate' | 'join'
  readonly ownsStream: boolean
  /** The remote's handshake, once verified. */
  remote: Handshake | null = null
  closed = false

  private readonly _host: SessionHost
  private readonly _userData: Uint8Array | null
  private _channel: Channel | null = null
  private _messages: Array<Message<unknown>> = []
  private _failed = false
  private _receivedManifest = false
  private _pending: PendingRequest[] = []
  private _localDone = false
  private _remoteDone = false
  private _channelCreated: Promise<void>
  private _resolveChannelCreated: () => void = noop
  private readonly _closedSignal: Promise<void>
  private _resolveClosed: () => void = noop

  constructor(host: SessionHost, stream: Duplex, noise: NoiseStreamLike, opts: SessionOptions) {
    this._host = host
    this.stream = stream
    this.noise = noise
    this.mux = noise.userData as Protomux
    this.live = opts.live
    this.mode = opts.mode
    this.ownsStream = opts.ownsStream
    this._userData = opts.userData
    this._channelCreated = new Promise((resolve) => (this._resolveChannelCreated = resolve))
    this._closedSignal = new Promise((resolve) => (this._resolveClosed = resolve))
    // Pair before any data can arrive: an open from the remote that finds no pairing is rejected.
    pairings.add(this)
    noise.once('close', () => this._destroy())
  }

  get channelId(): Uint8Array {
    return this._host.channelId
  }

  get peer(): MultifeedPeer {
    return { stream: this.stream, remotePublicKey: this.noise.remotePublicKey ?? null }
  }

  get verified(): boolean {
    return this.remote !== null
  }

  /** Sets the channel up once the Multifeed is loaded and the Noise handshake is done. */
  async start(): Promise<void> {
    try {
      await this._host.ready()
      if ((await this.noise.opened) === false || this.closed) return this._destroy()
      this._openChannel()
    } catch (err) {
      // The Multifeed failed to open (storage locked, closed meanwhile): nothing can be exchanged.
      if (!this.closed && this.mode === 'replicate') this.stream.destroy(err as Error)
      this._destroy()
    } finally {
      this._resolveChannelCreated()
    }
  }

  /** Resolves once our channel exists (or never will): protomux holds a remote open until then. */
  channelCreated(): Promise<void> {
    return this._channelCreated
  }

  /** Announces feeds that appeared after the exchange (live sessions only). */
  announce(entries: ManifestEntry[]): void {
    if (!this.live || !this.verified || this._failed || this.closed || entries.length === 0) return
    this._send(MANIFEST, encode(ManifestCodec, { feeds: entries }))
  }

  /** A multifeed channel with another root key showed up on this stream. */
  foreignChannel(): void {
    if (this.mode !== 'replicate' || this.verified) return
    this._fail(
      'KEY_MISMATCH',
      'The remote multifeed has a different root key (encryptionKey): no feeds were exchanged',
    )
  }

  /** Leaves the connection: destroys a stream we created, otherwise closes only our channel. */
  close(): void {
    if (this.ownsStream) this.stream.destroy()
    else if (this._channel) this._channel.close()
    this._destroy()
  }

  private _openChannel(): void {
    const handshakeHash = this.noise.handshakeHash
    if (!handshakeHash) return this._destroy()
    const channel = this.mux.createChannel({
      protocol: PROTOCOL,
      id: this._host.channelId,
      handshake: c.raw,
      messages: [
        { encoding: c.raw, onmessage: (m: unknown) => this._onmanifest(m as Uint8Array) },
        { encoding: c.raw, onmessage: (m: unknown) => this._onrequest(m as Uint8Array) },
        { encoding: c.raw, onmessage: (m: unknown) => this._onanswer(m as Uint8Array) },
        { encoding: c.raw, onmessage: (m: unknown) => this._ondone(m as Uint8Array) },
      ],
      onopen: (handshake: unknown) => this._onopen(handshake as Uint8Array),
      onclose: () => this._destroy(),
    })
    // Another session of this root key already runs on this connection: it does the exchange.
    if (!channel) return this._destroy()
    this._channel = channel
    this._messages = channel.messages
    channel.open(
      encode(HandshakeCodec, {
        client: CLIENT,
        version: PROTOCOL_VERSION,
        userData: this._userData,
        capability: capability(this._host.rootKey, this.noise.isInitiator, handshakeHash),
      }),
    )
  }

  private _onopen(bytes: Uint8Array): void {
    if (this.closed) return
    let hs: Handshake
    try {
      hs = decode(HandshakeCodec, bytes)
    } catch (err) {
      // Without a readable handshake there is no exchange with this peer; the connection lives on.
      this._host.report(err as DatSdkError, this.peer)
      this._channel?.close()
      return
    }
    if (hs.client !== CLIENT) {
      return this._fail(
        'ERR_CLIENT_MISMATCH',
        `The remote runs ${JSON.stringify(hs.client)}, not ${CLIENT}`,
        { usClient: CLIENT, themClient: hs.client },
      )
    }
    if (parseMajor(hs.version) !== parseMajor(PROTOCOL_VERSION)) {
      return this._fail(
        'ERR_VERSION_MISMATCH',
        `The remote speaks multifeed protocol ${hs.version}, we speak ${PROTOCOL_VERSION}`,
        { usVersion: PROTOCOL_VERSION, themVersion: hs.version },
      )
    }
    const handshakeHash = this.noise.handshakeHash
    if (
      !handshakeHash ||
      !verifyCapability(this._host.rootKey, !this.noise.isInitiator, handshakeHash, hs.capability)
    ) {
      return this._fail(
        'KEY_MISMATCH',
        'The remote could not prove it holds the root key (encryptionKey): no feeds were exchanged',
      )
    }
    this.remote = { ...hs, userData: hs.userData ? b4a.from(hs.userData) : null }
    this._host.onopen(this)
    this._host.onhandshake(this.remote.userData, this.peer)
    this._send(MANIFEST, encode(ManifestCodec, { feeds: this._host.manifest() }))
  }

  private _onmanifest(bytes: Uint8Array): void {
    if (!this._accepting()) return
    const initial = !this._receivedManifest
    this._receivedManifest = true
    let entries: ManifestEntry[]
    try {
      entries = decode(ManifestCodec, bytes).feeds
    } catch (err) {
      this._host.report(err as DatSdkError, this.peer)
      // A first manifest we cannot read still gets an (empty) request, so the exchange finishes.
      entries = []
      if (!initial) return
    }
    let wanted: { keys: Uint8Array[]; reserved: string[] }
    try {
      wanted = this._host.want(entries)
    } catch (err) {
      if (err instanceof DatSdkError && err.code === 'TOO_MANY_FEEDS') {
        return this._fail('TOO_MANY_FEEDS', err.message)
      }
      // `accept()` threw: the user's bug, reported on the stream rather than swallowed.
      return this._error(err as Error)
    }
    const lengths = new Map<string, number>()
    for (const e of entries) {
      const hex = b4a.toString(e.key, 'hex')
      lengths.set(hex, Math.max(lengths.get(hex) ?? 0, e.length))
    }
    this._pending.push({ keys: wanted.keys, lengths, reserved: wanted.reserved, initial })
    this._send(REQUEST, encode(RequestCodec, { keys: wanted.keys }))
  }

  private _onrequest(bytes: Uint8Array): void {
    if (!this._accepting()) return
    let keys: Uint8Array[]
    try {
      keys = decode(RequestCodec, bytes).keys
    } catch (err) {
      this._host.report(err as DatSdkError, this.peer)
      keys = [] // still answer, so the remote's exchange can finish
    }
    this._send(ANSWER, encode(AnswerCodec, { keys: this._host.have(keys) }))
  }

  private _onanswer(bytes: Uint8Array): void {
    if (!this._accepting()) return
    const pending = this._pending.shift()
    if (!pending) {
      this._host.report(
        new DatSdkError('BAD_MESSAGE', 'The remote answered a request we did not make'),
        this.peer,
      )
      return
    }
    let answered: Uint8Array[]
    try {
      answered = decode(AnswerCodec, bytes).keys
    } catch (err) {
      this._host.report(err as DatSdkError, this.peer)
      answered = []
    }
    // Only what we asked for: an answer cannot make us open a feed we did not want.
    const asked = new Set(pending.keys.map((k) => b4a.toString(k, 'hex')))
    const keys: Uint8Array[] = []
    for (const key of answered) {
      const hex = b4a.toString(key, 'hex')
      if (!asked.delete(hex)) continue
      keys.push(b4a.from(key))
    }
    // Not returned: protomux holds the connection's outgoing traffic while a handler's promise is
    // pending, and this waits on replication over that same connection.
    this._download(keys, pending).catch((err) => this._error(err as Error))
  }

  private _ondone(bytes: Uint8Array): void {
    if (!this._accepting()) return
    try {
      decode(DoneCodec, bytes)
    } catch (err) {
      this._host.report(err as DatSdkError, this.peer)
    }
    this._remoteDone = true
    this._maybeEnd()
  }

  private async _download(keys: Uint8Array[], pending: PendingRequest): Promise<void> {
    try {
      await this._host.addRemoteFeeds(keys, this)
    } finally {
      this._host.release(pending.reserved)
    }
    if (this.closed) return
    this._host.onremotefeeds(this)
    if (!pending.initial) return
    const waits: Array<Promise<void>> = []
    for (const key of keys) {
      const core = this._host.feed(key)
      const length = pending.lengths.get(b4a.toString(key, 'hex')) ?? 0
      if (core && core.contiguousLength < length) waits.push(this._hold(core, length))
    }
    await Promise.all(waits)
    if (this.closed) return
    this._localDone = true
    this._send(DONE, encode(DoneCodec, { feeds: keys.length }))
    this._maybeEnd()
  }

  /** Resolves once `core` holds blocks [0, length), or when this session closes. */
  private async _hold(core: Hypercore<unknown>, length: number): Promise<void> {
    const range = core.download({ start: 0, end: length })
    try {
      await Promise.race([range.done(), this._closedSignal])
    } finally {
      range.destroy()
    }
  }

  private _maybeEnd(): void {
    if (this.live || !this._localDone || !this._remoteDone || this.closed) return
    // Ending the Noise stream ends the remote's too (protomux ends on end): both sides close.
    this.noise.end()
  }

  private _accepting(): boolean {
    return this.verified && !this._failed && !this.closed
  }

  private _send(index: number, bytes: Uint8Array): void {
    const message = this._messages[index]
    if (message && this._channel && !this._channel.closed) message.send(bytes)
  }

  private _fail(code: Fatal, message: string, extra: Record<string, string> = {}): void {
    if (this._failed || this.closed) return
    this._failed = true
    const err = Object.assign(new DatSdkError(code, message), extra)
    this._host.report(err, this.peer)
    if (this.mode === 'replicate') this.stream.destroy(err)
    else this._channel?.close()
    this._destroy()
  }

  /** A local failure (not the remote's fault): it ends this exchange and reaches the stream. */
  private _error(err: Error): void {
    if (this._failed || this.closed) return
    this._failed = true
    if (this.mode === 'replicate') this.stream.destroy(err)
    else this._channel?.close()
    this._destroy()
  }

  private _destroy(): void {
    if (this.closed) return
    this.closed = true
    for (const p of this._pending) this._host.release(p.reserved)
    this._pending = []
    this._resolveClosed()
    this._resolveChannelCreated()
    pairings.delete(this)
    this._host.onclose(this)
  }
}

const MANIFEST = 0
const REQUEST = 1
const ANSWER = 2
const DONE = 3

/**
 * One pairing handler per connection for our protocol, whatever the channel id: it holds a remote
 * open until the matching session has created its channel, and tells replicate() sessions when
 * the remote's multifeed has another root key (a channel id that matches no session here).
 */
const pairings = {
  byMux: new WeakMap<Protomux, Set<Session>>(),

  add(session: Session): void {
    let sessions = this.byMux.get(session.mux)
    if (!sessions) {
      const set = new Set<Session>()
      sessions = set
      this.byMux.set(session.mux, set)
      session.mux.pair({ protocol: PROTOCOL, id: null }, (id) => onpair(set, id))
    }
    sessions.add(session)
  },

  delete(session: Session): void {
    const sessions = this.byMux.get(session.mux)
    if (!sessions || !sessions.delete(session) || sessions.size > 0) return
    this.byMux.delete(session.mux)
    session.mux.unpair({ protocol: PROTOCOL, id: null })
  },
}

function onpair(sessions: Set<Session>, id: Uint8Array | null): Promise<void> | void {
  const all = [...sessions]
  const match = all.find((s) => id !== null && b4a.equals(s.channelId, id))
  if (match) return match.channelCreated()
  for (const s of all) s.foreignChannel()
}

function noop(): void {}
