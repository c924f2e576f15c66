import type Autobase from 'autobase'
import BlindPairing, { type Member, type MemberRequest } from 'blind-pairing'
import ReadyResource from 'ready-resource'
import b4a from 'b4a'
import z32 from 'z32'
import { DatSdkError, toHex } from '@dat-sdk/store'
import type { Pairing } from './pairing.js'

interface InviteRecord {
  publicKey: string
  expires: number
  used: boolean
  /** The writer key the invite was used for: the same candidate asking again gets the same answer. */
  usedBy?: string
}

/** Where a writer keeps the invites it made: user data on its local core, so they outlive restarts. */
const INVITES = 'dat-sdk/invites'

export function inviteError(why: string, cause?: unknown): DatSdkError {
  return new DatSdkError('INVITE_INVALID', why, { cause })
}

/** What an invite string looks like: 60 or more z-base-32 characters (a whole one has 106). */
export const INVITE_SHAPE = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{60,}$/

/** The invite bytes of an invite string (z-base-32), or null when it is not one. */
export function decodeInvite(
  invite: string,
): { bytes: Uint8Array; id: Uint8Array; discoveryKey: Uint8Array; expires: number } | null {
  if (typeof invite !== 'string' || !INVITE_SHAPE.test(invite)) return null
  try {
    const bytes = z32.decode(invite)
    const decoded = BlindPairing.decodeInvite(bytes)
    if (!decoded.discoveryKey) return null
    return { bytes, id: decoded.id, discoveryKey: decoded.discoveryKey, expires: decoded.expires }
  } catch {
    return null
  }
}

/**
 * The writer's side of invites for one base: makes them, keeps them, and answers blind-pairing
 * requests for them while this peer is a writer, each invite once. `addWriter` makes the paired
 * candidate a writer through the log. Closing it stops answering; the `Pairing` stays open.
 */
export class Invites extends ReadyResource {
  private readonly _autobase: Autobase<unknown, Uint8Array>
  private readonly _pairing: Pairing
  private readonly _addWriter: (key: Uint8Array) => Promise<void>
  private readonly _invites = new Map<string, InviteRecord>()
  private _lock: Promise<void> = Promise.resolve()
  private _member: Member | null = null

  constructor(
    autobase: Autobase<unknown, Uint8Array>,
    pairing: Pairing,
    addWriter: (key: Uint8Array) => Promise<void>,
  ) {
    super()
    this._autobase = autobase
    this._pairing = pairing
    this._addWriter = addWriter
  }

  protected override async _open(): Promise<void> {
    const saved = await this._autobase.local.getUserData(INVITES)
    if (!saved) return
    try {
      const parsed = JSON.parse(b4a.toString(saved)) as Record<string, InviteRecord>
      for (const [id, rec] of Object.entries(parsed)) this._invites.set(id, rec)
    } catch {
      // an unreadable record: start afresh
    }
  }

  protected override async _close(): Promise<void> {
    const member = this._member
    this._member = null
    if (member) await member.close().catch(noop)
  }

  /** A new single-use invite string (see `Base.createInvite()`); starts answering for it. */
  async create(opts: { expires?: number } = {}): Promise<string> {
    if (!this._autobase.writable) throw new DatSdkError('NOT_WRITABLE', 'Only a writer can invite')
    const { expires = 0 } = opts
    if (typeof expires !== 'number' || expires < 0) {
      throw new TypeError('expires is a time in ms since the epoch')
    }
    const created = BlindPairing.createInvite(this._autobase.key!, { expires })
    this._invites.set(toHex(created.id), {
      publicKey: toHex(created.publicKey),
      expires: created.expires,
      used: false,
    })
    await this._save()
    this.start()
    return z32.encode(created.invite)
  }

  /** Answers pairing requests while this peer is a writer (a no-op when it already does). */
  start(): void {
    if (this._member || this.closing || !this._autobase.writable) return
    this._member = this._pairing.member(this._autobase.discoveryKey!, (request) =>
      this._onrequest(request),
    )
  }

  /** Stops answering (this peer stopped being a writer). */
  stop(): void {
    const member = this._member
    this._member = null
    if (member) member.close().catch(noop)
  }

  private async _save(): Promise<void> {
    const json = JSON.stringify(Object.fromEntries(this._invites))
    await this._autobase.local.setUserData(INVITES, json)
  }

  /** A pairing request: answered one at a time, so an invite is used once. */
  private _onrequest(request: MemberRequest): Promise<void> {
    const run = this._lock.then(() => this._answer(request))
    this._lock = run.catch(noop)
    return run
  }

  private async _answer(request: MemberRequest): Promise<void> {
    const id = toHex(request.inviteId)
    const invite = this._invites.get(id)
    if (!invite || this.closing) return // not ours: a writer that holds it answers
    let userData: Uint8Array
    try {
      userData = request.open(b4a.from(invite.publicKey, 'hex'))
    } catch {
      return // sealed with another key: not really for this invite
    }
    if (invite.used) {
      // blind-pairing may deliver one request twice (over the DHT and a connection).
      if (userData && invite.usedBy === toHex(userData)) {
        return request.confirm({ key: this._autobase.key! })
      }
      return request.deny({ status: 2 })
    }
    if (invite.expires && invite.expires < Date.now()) return request.deny({ status: 3 })
    if (!userData || userData.byteLength !== 32 || !this._autobase.writable) {
      return request.deny({ status: 1 })
    }
    invite.used = true
    invite.usedBy = toHex(userData)
    await this._save()
    await this._addWriter(userData)
    request.confirm({ key: this._autobase.key! })
  }
}

function noop(): void {}
