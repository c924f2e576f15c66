import c from 'compact-encoding'
import BlindPairing, {
  type Candidate,
  type Member,
  type MemberRequest,
  type PairingConnection,
  type PairingResult,
  type PairingSwarm,
} from 'blind-pairing'
import Protomux, { type Channel } from 'protomux'
import ReadyResource from 'ready-resource'
import b4a from 'b4a'
import { DatSdkError } from '@dat-sdk/store'
import { checkPairingMessage } from './messages.js'

export type { PairingSwarm, PairingConnection }

/** Who sent a bad pairing message: the connection's remote public key. */
export interface PairingPeer {
  remotePublicKey: Uint8Array | null
}

export type PairingErrorHandler = (err: DatSdkError, peer?: PairingPeer) => void

export interface PairingOptions {
  /** How often (ms) blind-pairing polls the DHT for requests and answers (default 30,000). */
  poll?: number
}

const GUARDED = Symbol('dat-sdk-pairing-guard')

/**
 * blind-pairing on one swarm, shared by every Base that uses it (blind-pairing allows one member
 * and one candidate per base on a swarm). It checks every message on blind-pairing's channels
 * before blind-pairing decodes it: bytes that do not decode are reported to the Base of that
 * channel as `BAD_MESSAGE` and dropped, where blind-pairing would have ended the connection.
 * Whoever makes a `Pairing` closes it; closing it leaves the swarm open.
 */
export class Pairing extends ReadyResource {
  readonly swarm: PairingSwarm
  readonly blind: BlindPairing
  private readonly _onerror = new Map<string, PairingErrorHandler>()
  private readonly _onconnectionBound: (conn: PairingConnection) => void

  constructor(swarm: PairingSwarm, opts: PairingOptions = {}) {
    super()
    if (!swarm || typeof swarm.join !== 'function' || !swarm.dht) {
      throw new TypeError('Pairing needs a Hyperswarm (blind-pairing uses its DHT)')
    }
    this.swarm = swarm
    this._onconnectionBound = (conn) => this._guard(conn)
    // Before blind-pairing's own listener, so its channels are made on a guarded muxer.
    swarm.on('connection', this._onconnectionBound)
    for (const conn of swarm.connections) this._guard(conn)
    this.blind = new BlindPairing(swarm, { poll: opts.poll ?? 30_000 })
  }

  protected override async _close(): Promise<void> {
    this.swarm.off('connection', this._onconnectionBound)
    await this.blind.close()
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

  private _guard(conn: PairingConnection): void {
    let mux: Protomux
    if (conn.userData && Protomux.isProtomux(conn.userData)) {
      mux = conn.userData
    } else {
      // As blind-pairing's own getMuxer does, so everyone on this connection shares one muxer.
      mux = Protomux.from(conn)
      conn.setKeepAlive?.(5000)
      conn.userData = mux
    }
    const marked = mux as Protomux & { [GUARDED]?: true }
    if (marked[GUARDED]) return
    marked[GUARDED] = true
    const createChannel = mux.createChannel
    const pairing = this
    mux.createChannel = function (opts) {
      const channel = createChannel.call(this, opts)
      if (channel && opts.protocol === 'blind-pairing' && opts.id) {
        pairing._guardChannel(channel, opts.id, conn)
      }
      return channel
    }
  }

  private _guardChannel(channel: Channel, id: Uint8Array, conn: PairingConnection): void {
    const hex = b4a.toString(id, 'hex')
    channel.messages.forEach((message, type) => {
      const recv = message.recv
      message.recv = (state, session) => {
        const framed = state.buffer.subarray(state.start, state.end)
        let payload: Uint8Array
        try {
          payload = checkPairingMessage(type, framed)
        } catch (err) {
          state.start = state.end
          const onerror = this._onerror.get(hex)
          const peer = { remotePublicKey: conn.remotePublicKey ?? null }
          onerror?.(err as DatSdkError, peer)
          return null
        }
        state.start = state.end
        const clean = c.encode(c.buffer, payload)
        return recv({ buffer: clean, start: 0, end: clean.byteLength }, session)
      }
    })
  }
}

function noop(): void {}
