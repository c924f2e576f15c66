// One manifest exchange on one connection: a protomux channel beside hypercore's own, opened
// with a handshake that proves the root key, then Manifest -> Request -> Answer both ways, and a
// Done each way once the first exchange is fully downloaded.
// The state machine of that exchange lives here; the handshake's checks are in handshake.ts, our
// outstanding requests in requests.ts, the multifeeds sharing the exchange in hosts.ts and the
// per-connection pairing handler in pairing.ts.
// It stays one file past ~400 lines because every step reads and writes the same per-channel state
// (what was offered, asked and answered); the pieces that need none of it are in the files above.
import type { Duplex } from 'node:stream'
import type { MultifeedPeer } from '@dat-sdk/interfaces'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Protomux from 'protomux'
import type { Channel, Message } from 'protomux'
import { DatSdkError, asBadMessage } from '@dat-sdk/store'
import {
  AnswerCodec,
  DoneCodec,
  HandshakeCodec,
  ManifestCodec,
  PROTOCOL,
  RequestCodec,
  decode,
  encode,
  type Handshake,
  type ManifestEntry,
} from './messages.js'
import { checkHandshake, ourHandshake, type Fatal } from './handshake.js'
import {
  collectWants,
  deliver,
  feedOf,
  heldBy,
  releaseWants,
  unionManifest,
  type SessionHost,
} from './hosts.js'
import { pairings } from './pairing.js'
import type { NoiseStreamLike } from './stream.js'
import { hold, newRequest, takeAnswer, withdraw, type PendingRequest } from './requests.js'

export type { MultifeedPeer }

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

/**
 * Where one exchange stands. It moves forward only, and `failed` / `closed` can follow any state:
 * - `connecting`: waiting for the multifeeds to load, the Noise handshake and the remote's
 *   channel handshake;
 * - `verified`: the remote's handshake checked and our manifest sent; theirs not in yet;
 * - `exchanging`: their first manifest is in; requests and answers flow both ways;
 * - `local-done`: every feed of our first request is downloaded and our Done is sent;
 * - `remote-done`: the remote's Done is in, ours not yet;
 * - `done`: both Dones: a non-live exchange ends the stream, a live one keeps announcing;
 * - `failed`: a fatal error, being reported (closing follows at once);
 * - `closed`: nothing more happens.
 */
export type SessionState =
  | 'connecting'
  | 'verified'
  | 'exchanging'
  | 'local-done'
  | 'remote-done'
  | 'done'
  | 'failed'
  | 'closed'

/** The states in which the remote's messages are read. */
const ACCEPTING: ReadonlySet<SessionState> = new Set<SessionState>([
  'verified',
  'exchanging',
  'local-done',
  'remote-done',
  'done',
])

/**
 * The exchange of one root key on one connection. In join mode the multifeeds of this process
 * that share the root key share one session (see hosts.ts): hence a set of hosts; the session
 * closes when the last one leaves.
 */
export class Session {
  readonly stream: Duplex
  readonly noise: NoiseStreamLike
  readonly mux: Protomux
  readonly live: boolean
  readonly mode: 'replicate' | 'join'
  readonly ownsStream: boolean
  /** The remote's handshake, once verified. */
  remote: Handshake | null = null
  state: SessionState = 'connecting'

  private readonly _hosts = new Set<SessionHost>()
  private readonly _channelId: Uint8Array
  private readonly _rootKey: Uint8Array
  /** Every feed the remote's manifests listed, with the most it said it holds. */
  private readonly _remoteEntries = new Map<string, ManifestEntry>()
  private readonly _userData: Uint8Array | null
  private _channel: Channel | null = null
  private _messages: Array<Message<unknown>> = []
  private _pending: PendingRequest[] = []
  private _channelCreated: Promise<void>
  private _resolveChannelCreated: () => void = noop
  private readonly _closedSignal: Promise<void>
  private _resolveClosed: () => void = noop

  /**
   * The session `host` runs its exchange in on `stream`: in join mode, the one another multifeed
   * with the same root key already runs on this connection, if any; otherwise a new one.
   */
  static attach(
    host: SessionHost,
    stream: Duplex,
    noise: NoiseStreamLike,
    opts: SessionOptions,
  ): { session: Session; fresh: boolean } {
    const mux = noise.userData as Protomux
    if (opts.mode === 'join') {
      const shared = pairings.find(mux, host.channelId)
      if (shared) {
        shared._join(host)
        return { session: shared, fresh: false }
      }
    }
    return { session: new Session(host, stream, noise, opts), fresh: true }
  }

  private constructor(
    host: SessionHost,
    stream: Duplex,
    noise: NoiseStreamLike,
    opts: SessionOptions,
  ) {
    this._hosts.add(host)
    this._channelId = host.channelId
    this._rootKey = host.rootKey
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
    return this._channelId
  }

  get peer(): MultifeedPeer {
    return { stream: this.stream, remotePublicKey: this.noise.remotePublicKey ?? null }
  }

  get verified(): boolean {
    return this.remote !== null
  }

  get closed(): boolean {
    return this.state === 'closed'
  }

  /** Sets the channel up once the Multifeed is loaded and the Noise handshake is done. */
  async start(): Promise<void> {
    try {
      await Promise.all([...this._hosts].map((h) => h.ready()))
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
    if (!this.live || !this._accepting() || entries.length === 0) return
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

  /**
   * `host` leaves the exchange; the last one to leave closes it (a stream we created is
   * destroyed, otherwise only our channel closes).
   */
  leave(host: SessionHost): void {
    if (!this._hosts.has(host)) return
    withdraw(this._pending, host)
    if (this._hosts.size > 1) {
      this._hosts.delete(host)
      host.onclose(this)
      return
    }
    this.close()
  }

  /** Another multifeed with this root key joins the exchange on this connection. */
  private _join(host: SessionHost): void {
    if (this._hosts.has(host)) return
    this._hosts.add(host)
    if (!this.verified) return // its feeds go out with the first manifest
    // The exchange is under way: offer its feeds, and ask for what the remote listed that it wants.
    this._send(MANIFEST, encode(ManifestCodec, { feeds: host.manifest() }))
    if (this._remoteEntries.size > 0)
      this._request([...this._remoteEntries.values()], false, [host])
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
      id: this._channelId,
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
    channel.open(ourHandshake(this._rootKey, this.noise.isInitiator, handshakeHash, this._userData))
  }

  private _onopen(bytes: Uint8Array): void {
    if (this.closed) return
    let hs: Handshake
    try {
      hs = decode(HandshakeCodec, bytes)
    } catch (err) {
      // Without a readable handshake there is no exchange with this peer; the connection lives on.
      this._report(asBadMessage(err, DECODING))
      this._channel?.close()
      return
    }
    const mismatch = checkHandshake(
      hs,
      this._rootKey,
      !this.noise.isInitiator,
      this.noise.handshakeHash,
    )
    if (mismatch) return this._fail(mismatch.code, mismatch.message, mismatch.extra)
    this.remote = { ...hs, userData: hs.userData ? b4a.from(hs.userData) : null }
    this.state = 'verified'
    for (const host of this._hosts) host.onhandshake(this.remote.userData, this.peer)
    this._send(MANIFEST, encode(ManifestCodec, { feeds: unionManifest(this._hosts) }))
  }

  private _onmanifest(bytes: Uint8Array): void {
    if (!this._accepting()) return
    const initial = this.state === 'verified'
    if (initial) this.state = 'exchanging'
    let entries: ManifestEntry[]
    try {
      entries = decode(ManifestCodec, bytes).feeds
    } catch (err) {
      this._report(asBadMessage(err, DECODING))
      // A first manifest we cannot read still gets an (empty) request, so the exchange finishes.
      entries = []
      if (!initial) return
    }
    for (const e of entries) {
      const hex = b4a.toString(e.key, 'hex')
      const known = this._remoteEntries.get(hex)
      if (!known || known.length < e.length) this._remoteEntries.set(hex, e)
    }
    this._request(entries, initial, [...this._hosts])
  }

  /** Asks the remote for the feeds of `entries` that `hosts` want. */
  private _request(entries: ManifestEntry[], initial: boolean, hosts: SessionHost[]): void {
    let collected: ReturnType<typeof collectWants>
    try {
      collected = collectWants(hosts, entries, this._hosts.size > 1, this.peer)
    } catch (err) {
      // `accept()` threw: the user's bug, reported on the stream rather than swallowed.
      return this._error(err as Error)
    }
    const { wants, tooMany } = collected
    if (wants.length === 0 && tooMany) return this._fail('TOO_MANY_FEEDS', tooMany.message)
    const request = newRequest(entries, wants, initial)
    this._pending.push(request)
    this._send(REQUEST, encode(RequestCodec, { keys: request.keys }))
  }

  private _onrequest(bytes: Uint8Array): void {
    if (!this._accepting()) return
    let keys: Uint8Array[]
    try {
      keys = decode(RequestCodec, bytes).keys
    } catch (err) {
      this._report(asBadMessage(err, DECODING))
      keys = [] // still answer, so the remote's exchange can finish
    }
    this._send(ANSWER, encode(AnswerCodec, { keys: heldBy(this._hosts, keys) }))
  }

  private _onanswer(bytes: Uint8Array): void {
    if (!this._accepting()) return
    const pending = this._pending.shift()
    if (!pending) {
      this._report(new DatSdkError('BAD_MESSAGE', 'The remote answered a request we did not make'))
      return
    }
    let answered: Uint8Array[]
    try {
      answered = decode(AnswerCodec, bytes).keys
    } catch (err) {
      this._report(asBadMessage(err, DECODING))
      answered = []
    }
    const keys = takeAnswer(pending, answered)
    // Not returned: protomux holds the connection's outgoing traffic while a handler's promise is
    // pending, and this waits on replication over that same connection.
    this._download(keys, pending).catch((err) => this._error(err as Error))
  }

  private _ondone(bytes: Uint8Array): void {
    if (!this._accepting()) return
    try {
      decode(DoneCodec, bytes)
    } catch (err) {
      this._report(asBadMessage(err, DECODING))
    }
    if (this.state === 'verified') {
      // An honest remote sends its manifest first (one channel keeps the order): nothing to end.
      this._report(new DatSdkError('BAD_MESSAGE', 'The remote sent Done before its manifest'))
      return
    }
    if (this.state === 'exchanging') this.state = 'remote-done'
    else if (this.state === 'local-done') this.state = 'done'
    this._maybeEnd()
  }

  private async _download(keys: Uint8Array[], pending: PendingRequest): Promise<void> {
    try {
      await deliver(keys, pending.wants, this._hosts, this)
    } finally {
      releaseWants(pending.wants)
      pending.wants = []
    }
    if (this.closed) return
    this.stream.emit('remote-feeds')
    for (const host of this._hosts) host.onremotefeeds(this)
    if (!pending.initial) return
    const waits: Array<Promise<void>> = []
    for (const key of keys) {
      const core = feedOf(this._hosts, key)
      const length = pending.lengths.get(b4a.toString(key, 'hex')) ?? 0
      if (core && core.contiguousLength < length) waits.push(hold(core, length, this._closedSignal))
    }
    await Promise.all(waits)
    if (this.state === 'exchanging') this.state = 'local-done'
    else if (this.state === 'remote-done') this.state = 'done'
    else return // failed or closed meanwhile
    this._send(DONE, encode(DoneCodec, { feeds: keys.length }))
    this._maybeEnd()
  }

  private _maybeEnd(): void {
    if (this.live || this.state !== 'done') return
    // Ending the Noise stream ends the remote's too (protomux ends on end): both sides close.
    this.noise.end()
  }

  private _accepting(): boolean {
    return ACCEPTING.has(this.state)
  }

  private _send(index: number, bytes: Uint8Array): void {
    const message = this._messages[index]
    if (message && this._channel && !this._channel.closed) message.send(bytes)
  }

  private _fail(code: Fatal, message: string, extra: Record<string, string> = {}): void {
    if (this.state === 'failed' || this.state === 'closed') return
    this.state = 'failed'
    const err = Object.assign(new DatSdkError(code, message), extra)
    this._report(err)
    if (this.mode === 'replicate') this.stream.destroy(err)
    else this._channel?.close()
    this._destroy()
  }

  /** A local failure (not the remote's fault): it ends this exchange and reaches the stream. */
  private _error(err: Error): void {
    if (this.state === 'failed' || this.state === 'closed') return
    this.state = 'failed'
    if (this.mode === 'replicate') this.stream.destroy(err)
    else this._channel?.close()
    this._destroy()
  }

  private _destroy(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    for (const p of this._pending) releaseWants(p.wants)
    this._pending = []
    this._resolveClosed()
    this._resolveChannelCreated()
    pairings.delete(this)
    for (const host of [...this._hosts]) host.onclose(this)
    this._hosts.clear()
  }

  private _report(err: DatSdkError): void {
    for (const host of this._hosts) host.report(err, this.peer)
  }
}

const DECODING = 'Decoding a multifeed message'
const MANIFEST = 0
const REQUEST = 1
const ANSWER = 2
const DONE = 3

function noop(): void {}
