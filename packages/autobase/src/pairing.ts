import { EventEmitter } from 'events'
import c, { type Encoder, type State } from 'compact-encoding'
import BlindPairing, {
  type Candidate,
  type Member,
  type MemberRequest,
  type MuxerHost,
  type PairingConnection,
  type PairingResult,
  type PairingSwarm,
} from 'blind-pairing'
import Protomux, { type Channel, type ChannelOptions, type MessageOptions } from 'protomux'
import ReadyResource from 'ready-resource'
import b4a from 'b4a'
import { DatSdkError, asBadMessage } from '@dat-sdk/store'
import { checkPairingMessage } from './messages.js'

export type { PairingSwarm, PairingConnection }

/** Who sent a bad pairing message: the connection's remote public key. */
export interface PairingPeer {
  /** The remote's public key, or null when not known. */
  remotePublicKey: Uint8Array | null
}

/** Told of a pairing message from a peer that did not decode (code `BAD_MESSAGE`). */
export type PairingErrorHandler = (err: DatSdkError, peer?: PairingPeer) => void

/** Options for a Pairing. */
export interface PairingOptions {
  /** How often (ms) blind-pairing polls the DHT for requests and answers (default 30,000). */
  poll?: number
}

/**
 * blind-pairing on one swarm, shared by every Base that uses it (blind-pairing allows one member
 * and one candidate per base on a swarm). It checks every message on blind-pairing's channels
 * before blind-pairing decodes it: bytes that do not decode are reported to the Base of that
 * channel as `BAD_MESSAGE` and dropped, where blind-pairing would have ended the connection.
 *
 * Nothing shared is patched: blind-pairing runs on a view of the swarm (`PairingView`) whose
 * connections carry a `PairingMuxer` of this `Pairing` in `userData`; that muxer opens
 * blind-pairing's channels on the connection's one Protomux through `createChannel`, with a
 * codec that frames what is sent as blind-pairing does and hands what arrives over unread, so the
 * check runs before blind-pairing's own handler. Whoever makes a `Pairing` closes it; closing it
 * leaves the swarm open.
 */
export class Pairing extends ReadyResource {
  /** The swarm the pairing runs on (left open when the pairing closes). */
  readonly swarm: PairingSwarm
  /** The blind-pairing instance invites go through. */
  readonly blind: BlindPairing
  private readonly _view: PairingView
  private readonly _onerror = new Map<string, PairingErrorHandler>()

  constructor(swarm: PairingSwarm, opts: PairingOptions = {}) {
    super()
    if (!swarm || typeof swarm.join !== 'function' || !swarm.dht) {
      throw new TypeError('Pairing needs a Hyperswarm (blind-pairing uses its DHT)')
    }
    this.swarm = swarm
    this._view = new PairingView(swarm, (id, err, conn) => this._report(id, err, conn))
    this.blind = new BlindPairing(this._view, { poll: opts.poll ?? 30_000 })
  }

  protected override async _close(): Promise<void> {
    await this.blind.close()
    this._view.destroy()
  }

  /** Routes bad messages on the channel of `discoveryKey` to `onerror` (until the returned function is called). */
  listen(discoveryKey: Uint8Array, onerror: PairingErrorHandler): () => void {
    const id = b4a.toString(discoveryKey, 'hex')
    this._onerror.set(id, onerror)
    return () => {
      if (this._onerror.get(id) === onerror) this._onerror.delete(id)
    }
  }

  /** Answers pairing requests for the base of `discoveryKey`. */
  member(discoveryKey: Uint8Array, onadd: (request: MemberRequest) => Promise<void>): Member {
    return this.blind.addMember({ discoveryKey, onadd })
  }

  /**
   * Asks the writers of the invite's base to pair, sending `userData` (our writer key). Resolves
   * with the base's key; rejects with `INVITE_INVALID` when a writer refuses and `PEER_TIMEOUT`
   * when none answered within `timeout` ms.
   */
  async pair(invite: Uint8Array, userData: Uint8Array, timeout: number): Promise<PairingResult> {
    const { discoveryKey } = BlindPairing.decodeInvite(invite)
    let candidate: Candidate | null = null
    let timer: NodeJS.Timeout | null = null
    const stopListening = this.listen(discoveryKey!, noop)
    try {
      return await new Promise<PairingResult>((resolve, reject) => {
        timer = setTimeout(() => {
          reject(new DatSdkError('PEER_TIMEOUT', `No writer answered the invite in ${timeout} ms`))
        }, timeout)
        candidate = this.blind.addCandidate({
          invite,
          userData,
          onadd: (result) => resolve(result),
        })
        candidate.request.on('rejected', (err) => {
          const code = (err as { code?: unknown }).code
          if (typeof code === 'string' || /discoveryKey/.test(err.message)) {
            reject(new DatSdkError('INVITE_INVALID', `The invite was refused: ${err.message}`))
          }
          // Anything else is an answer we cannot open (not meant for us): keep waiting.
        })
      })
    } finally {
      if (timer) clearTimeout(timer)
      stopListening()
      if (candidate) await (candidate as Candidate).close().catch(noop)
    }
  }

  private _report(id: Uint8Array | null, err: DatSdkError, conn: PairingConnection): void {
    const onerror = id ? this._onerror.get(b4a.toString(id, 'hex')) : undefined
    onerror?.(err, { remotePublicKey: conn.remotePublicKey ?? null })
  }
}

type Reporter = (id: Uint8Array | null, err: DatSdkError, conn: PairingConnection) => void

/**
 * The swarm as blind-pairing sees it: the same DHT, topics and connections, each connection
 * standing behind a `PairingConnectionView` whose muxer checks blind-pairing's messages.
 */
class PairingView extends EventEmitter implements PairingSwarm<PairingConnectionView> {
  readonly dht: EventEmitter
  private readonly _swarm: PairingSwarm
  private readonly _report: Reporter
  private readonly _views = new WeakMap<PairingConnection, PairingConnectionView>()
  private readonly _onconnection: (conn: PairingConnection, info: unknown) => void

  constructor(swarm: PairingSwarm, report: Reporter) {
    super()
    this._swarm = swarm
    this._report = report
    this.dht = swarm.dht
    this._onconnection = (conn, info) => this.emit('connection', this._viewOf(conn), info)
    swarm.on('connection', this._onconnection)
  }

  get connections(): Set<PairingConnectionView> {
    return new Set([...this._swarm.connections].map((conn) => this._viewOf(conn)))
  }

  join(topic: Uint8Array, opts?: { server?: boolean; client?: boolean }): unknown {
    return this._swarm.join(topic, opts)
  }

  flush(): Promise<unknown> {
    return this._swarm.flush()
  }

  destroy(): void {
    this._swarm.off('connection', this._onconnection)
  }

  private _viewOf(conn: PairingConnection): PairingConnectionView {
    let view = this._views.get(conn)
    if (!view) {
      view = { userData: new PairingMuxer(muxOfConnection(conn), conn, this._report) }
      this._views.set(conn, view)
    }
    return view
  }
}

interface PairingConnectionView extends MuxerHost {
  userData: PairingMuxer
}

/**
 * The part of Protomux blind-pairing uses (`pair`, `unpair`, `createChannel`), in front of the
 * connection's own muxer. Channels of other protocols pass through untouched.
 */
class PairingMuxer {
  private readonly _mux: Protomux
  private readonly _conn: PairingConnection
  private readonly _report: Reporter

  constructor(mux: Protomux, conn: PairingConnection, report: Reporter) {
    this._mux = mux
    this._conn = conn
    this._report = report
  }

  pair(
    opts: { protocol: string; id?: Uint8Array | null },
    notify: (id: Uint8Array | null) => void,
  ): void {
    this._mux.pair(opts, notify)
  }

  unpair(opts: { protocol: string; id?: Uint8Array | null }): void {
    this._mux.unpair(opts)
  }

  createChannel<H>(opts: ChannelOptions<H>): Channel | null {
    if (opts.protocol !== 'blind-pairing') return this._mux.createChannel(opts)
    const id = opts.id ?? null
    const messages = (opts.messages ?? []).map((message, type): MessageOptions<Uint8Array> => ({
      encoding: framed,
      onmessage: (bytes, channel) => {
        let payload: Uint8Array
        try {
          payload = checkPairingMessage(type, bytes)
        } catch (err) {
          this._report(id, asBadMessage(err, 'A pairing message'), this._conn)
          return
        }
        return message.onmessage?.(payload, channel)
      },
    }))
    return this._mux.createChannel({ ...opts, messages })
  }
}

/**
 * blind-pairing's message codec on the way out (a length-prefixed buffer), and on the way in the
 * whole frame unread, so `checkPairingMessage` sees it before anything decodes it.
 */
const framed: Encoder<Uint8Array> = {
  preencode: (state, m) => c.buffer.preencode(state, m),
  encode: (state, m) => c.buffer.encode(state, m),
  decode(state: State): Uint8Array {
    const bytes = state.buffer?.subarray(state.start, state.end) ?? new Uint8Array(0)
    state.start = state.end
    return bytes
  },
}

/** The connection's one Protomux, made and kept in `userData` as blind-pairing's `getMuxer` does. */
function muxOfConnection(conn: PairingConnection): Protomux {
  if (conn.userData && Protomux.isProtomux(conn.userData)) return conn.userData
  const mux = Protomux.from(conn)
  conn.setKeepAlive?.(5000)
  conn.userData = mux
  return mux
}

function noop(): void {}
