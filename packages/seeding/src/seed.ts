// One seeded part: a full local copy kept downloading, announced, and handed to the blind peers,
// with a status that says how much of it each blind peer has acknowledged. It stays one file: the
// status is read from the same tracked sessions, blind-peer handles and clock the seed's lifecycle
// keeps, and split apart each half would need the other's private state.
import b4a from 'b4a'
import type BlindPeering from 'blind-peering'
import type { Download } from 'hypercore'
import ReadyResource from 'ready-resource'
import type { Listener, SeedEvents } from '@dat-sdk/interfaces'
import { DatSdkError, closedError, toHex, toURL, type Hypercore } from '@dat-sdk/store'
import type { SeedKind } from './messages.js'
import type { SeedCore, SeedTarget } from './target.js'
import { clock } from './clock.js'

/** The events of a core after which what a seed's status reads of it may have moved. */
const MOVES = [
  'append',
  'download',
  'truncate',
  'ready',
  'close',
  'peer-add',
  'peer-remove',
] as const

/** What one blind peer holds of a seed. */
export interface BlindPeerStatus {
  /** The blind peer's Noise public key. */
  key: Uint8Array
  /** A connection to it is open now. */
  connected: boolean
  /** Blocks it has acknowledged: its contiguous length per core, summed (kept while it is away). */
  blocks: number
  /** It holds, for every core of the part, as many blocks as we hold. */
  backedUp: boolean
}

/** "May I close my laptop now?" */
export interface SeedStatus {
  /** Blocks in every core of the part (their lengths, summed). */
  blocks: number
  /** Blocks held here, contiguous from the start of each core, summed. */
  localBlocks: number
  /** Distinct peers (by Noise key) replicating any core of the part, blind peers included. */
  peers: number
  /** Every blind peer holds all we hold (false when there is no blind peer). */
  backedUp: boolean
  /** The status of each blind peer asked to hold the part. */
  blindPeers: BlindPeerStatus[]
}

/** Options for a Seed: its blind peers and whether it is recorded. */
export interface SeedOptions {
  /** The blind peers asked to keep every core of the part. */
  blindPeers: Uint8Array[]
  /** Keep a full local copy: every block, now and as it is appended. */
  download: boolean
}

interface Tracked {
  /** The core's key (the session's own buffer): what says two sessions are of one core. */
  key: Uint8Array
  /**
   * The session the seed reads: the target's own (left open by the seed) when the seed has no
   * blind peers, or a session of the seed's own (closed with it) that blind-peering holds.
   */
  session: Hypercore<unknown>
  /** The seed opened `session` (and closes it). */
  owned: boolean
  view: boolean
  download: Download | null
  /** Per blind peer (hex): the contiguous length it acknowledged, kept while it is away. */
  acks: Map<string, number> | null
}

// Typed events (`SeedEvents` in @dat-sdk/interfaces), merged into the class below.
export interface Seed {
  /** Listens for a seed event (`'status'`, `'ready'`, `'close'`). */
  on<K extends keyof SeedEvents<SeedStatus>>(
    event: K,
    listener: Listener<SeedEvents<SeedStatus>, K>,
  ): this
  /** Listens for a seed event once. */
  once<K extends keyof SeedEvents<SeedStatus>>(
    event: K,
    listener: Listener<SeedEvents<SeedStatus>, K>,
  ): this
  /** Stops listening for a seed event. */
  off<K extends keyof SeedEvents<SeedStatus>>(
    event: K,
    listener: Listener<SeedEvents<SeedStatus>, K>,
  ): this
  /** Emits a seed event (the seed's own use). */
  emit<K extends keyof SeedEvents<SeedStatus>>(
    event: K,
    ...args: SeedEvents<SeedStatus>[K]
  ): boolean
}

/**
 * A seeded part. `status()` says what is held here and by each blind peer; `'status'` fires when
 * that changes (at most every `STATUS_INTERVAL` ms); `backedUp()` waits until every blind
 * peer holds all we hold.
 */
export class Seed extends ReadyResource {
  /** What kind of part is seeded. */
  readonly kind: SeedKind
  /** The part's key. */
  readonly key: Uint8Array

  /** The target while it opens (let go once it has: `_resolved` holds it then). */
  private _target: Promise<SeedTarget> | null
  private _resolved: SeedTarget | null = null
  private readonly _peering: BlindPeering | null
  private readonly _blindPeers: Uint8Array[]
  private readonly _download: boolean
  /**
   * The cores tracked, one entry per core (a list: a part has one or two, and a seeder of 1,000
   * parts held a Map and two hex strings of keys for each).
   */
  private _cores: Tracked[] = []
  private _announce: { destroy(): Promise<void> } | null = null
  private _autobaseAdded = false
  /** The text of the status last kept (and said with `'status'`): a new one is kept when it differs. */
  private _last = ''
  /**
   * The seed follows its cores' events (MOVES) and recomputes its status on its own: always with
   * blind peers or for an Autobase, otherwise only while something listens for `'status'`. A seed
   * nobody watches computes its status when asked (`status()`), and holds no listener on its cores'
   * sessions: a seeder of 1,000 parts carried 14,000, and the arrays and dictionaries they made of
   * the sessions' event tables (about 1.5 KiB a part).
   */
  private _watching = false
  /**
   * Something the status reads moved since it was last computed (a tracked core appended,
   * downloaded, truncated, opened, closed, or gained or lost a peer; a core was tracked or let go).
   * A watching seed without blind peers reads nothing else, so its tick skips the computing while
   * this is false: a seeder of 1,000 idle parts does no work four times a second for each of them.
   */
  private _dirty = true
  /**
   * Marks the status as moved (the tracked sessions' events): made when the seed starts watching
   * (a seeder's idle parts hold none).
   */
  private _mark: (() => void) | null = null
  private _refreshing = false
  /**
   * One refresh on the next turn, however many acknowledgements arrive meanwhile: made for a seed
   * with blind peers (the only one that listens for acknowledgements).
   */
  private _soon: (() => void) | null = null
  /** The status last kept, computed when first asked for or watched. */
  private _status: SeedStatus | null = null

  /** `target` may still be opening: `ready()` waits for it (and rejects with its error). */
  constructor(
    kind: SeedKind,
    key: Uint8Array,
    target: Promise<SeedTarget>,
    peering: BlindPeering | null,
    opts: SeedOptions,
  ) {
    super()
    this.kind = kind
    this.key = key
    this._target = target
    this._peering = peering
    this._blindPeers = opts.blindPeers
    this._download = opts.download
    target.catch(noop)
    this.ready().catch(noop)
  }

  /**
   * `hyper://<z32 key>/` of the part. Made when asked: z32 builds it a character at a time, and
   * kept, that chain of string pieces cost a seeder of 1,000 parts 1.3 MiB.
   */
  get url(): string {
    return toURL(this.key)
  }

  /** The blind peers asked to keep this part. */
  get blindPeers(): Uint8Array[] {
    return [...this._blindPeers]
  }

  protected override async _open(): Promise<void> {
    const target = await this._target!
    this._resolved = target
    this._target = null
    if (this.closing) return
    this._announce = target.announce()
    this._refresh()
    clock.add(this)
  }

  protected override async _close(): Promise<void> {
    clock.delete(this)
    await this._target?.catch(noop)
    // Not awaited: leaving the topic unannounces on the DHT, which may never answer (the DHT
    // gone), and closing a seed must not wait on the network (the CLI exits within 2 s of Ctrl-C);
    // the networker's own close bounds what is still in flight.
    this._announce?.destroy().catch(noop)
    const tracked = this._cores
    this._cores = []
    for (const t of tracked) await this._untrack(t)
    await this._resolved?.close?.().catch(noop)
  }

  /** What is held here and by each blind peer, now. */
  status(): SeedStatus {
    if (!this._watching && this._resolved && !this.closing) this._update()
    return (this._status ??= this._compute())
  }

  /** @internal What the status clock calls, every `STATUS_INTERVAL` ms. */
  tick(): void {
    this._refresh()
  }

  /**
   * Resolves once every blind peer holds all we hold; rejects with `PEER_TIMEOUT` after
   * `timeout` ms (none by default), and with `CLOSED` when the seed closes first.
   */
  async backedUp(opts: { timeout?: number } = {}): Promise<void> {
    if (this._blindPeers.length === 0) {
      throw new TypeError(
        'backedUp() needs a blind peer: createSDK({ blindPeers }) or seed(ref, { blindPeers })',
      )
    }
    if (this.closing) throw closedError('seed')
    await this.ready()
    if (this.status().backedUp) return
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.off('status', onstatus)
        this.off('close', onclose)
        if (timer) clearTimeout(timer)
        if (err) reject(err)
        else resolve()
      }
      const onstatus = (status: SeedStatus) => {
        if (status.backedUp) done()
      }
      const onclose = () => done(closedError('seed'))
      const timer =
        opts.timeout === undefined
          ? null
          : setTimeout(
              () =>
                done(
                  new DatSdkError(
                    'PEER_TIMEOUT',
                    `The blind peers did not acknowledge ${this.url} within ${opts.timeout} ms`,
                  ),
                ),
              opts.timeout,
            )
      this.on('status', onstatus)
      this.on('close', onclose)
    })
  }

  /** Picks up cores the part gained, then recomputes the status and says when it changed. */
  private _refresh(): void {
    const target = this._resolved
    if (!target || this.closing) return
    // Blind peers' connections and an Autobase's views move without an event on the cores read,
    // so such a seed recomputes on every tick; any other only after an event, when watched.
    const everyTick = this._blindPeers.length > 0 || !!target.autobase
    const watch = everyTick || this.listenerCount('status') > 0
    if (watch !== this._watching) this._watch(watch)
    for (const entry of target.cores()) this._track(entry)
    if (target.autobase && !this._autobaseAdded && this._peering && this._blindPeers.length > 0) {
      this._autobaseAdded = true
      this._peering.addAutobaseBackground(target.autobase, this._addOptions())
    }
    if (!this._watching) return // nobody to tell: status() computes when asked
    if (!this._dirty && !everyTick) return
    this._dirty = false
    this._update()
  }

  /** Computes the status; keeps it, and says so with `'status'`, when it changed. */
  private _update(): void {
    const status = this._compute()
    const text = statusText(status)
    if (text === this._last) return
    this._status = status
    this._last = text
    this.emit('status', status)
  }

  /** Starts or stops following the tracked cores' events (see `_watching`). */
  private _watch(on: boolean): void {
    this._watching = on
    this._dirty = true
    for (const { session } of this._cores) this._follow(session, on)
  }

  /** Adds (or removes) the seed's MOVES listener on one tracked session. */
  private _follow(session: Hypercore<unknown>, on: boolean): void {
    const mark = on
      ? (this._mark ??= () => {
          this._dirty = true
        })
      : this._mark
    if (!mark) return
    for (const event of MOVES) {
      if (on) session.on(event, mark)
      else session.off(event, mark)
    }
  }

  /** The refresh on the next turn (see `_soon`). */
  private _refreshSoon(): () => void {
    this._soon ??= () => {
      if (this._refreshing) return
      this._refreshing = true
      setImmediate(() => {
        this._refreshing = false
        this._refresh()
      })
    }
    return this._soon
  }

  private _addOptions() {
    return { keys: this._blindPeers, pick: this._blindPeers.length, announce: true }
  }

  private _track({ core, view = false }: SeedCore): void {
    if (!core.key || core.closing) return
    const key = core.key
    // Every tick, for every core of every seed: a plain loop, no closure to allocate.
    let known: Tracked | null = null
    for (const t of this._cores) if (t.key === key || b4a.equals(t.key, key)) known = t
    if (known) {
      // A target's session that closed (the caller closed the part): follow the one it gives now.
      if (known.owned || !known.session.closing || known.session === core) return
      this._cores = this._cores.filter((t) => t !== known)
      this._untrack(known).catch(noop)
    }
    // A session of the seed's own only when blind-peering is to hold the core (it lets go of a
    // core when its session closes, which is how unseed() takes a part back) or for an Autobase
    // (whose cores it may close); otherwise the target's session serves, and a seeder of 1,000
    // parts holds no second session of each of their cores.
    const owned = this._peers() || !!this._resolved?.autobase
    const session = owned ? core.session() : core
    const tracked: Tracked = { key, session, owned, view, download: null, acks: null }
    // concat() makes a list of its own size (push and spread reserve 16 more slots, 128 bytes).
    this._cores = this._cores.concat([tracked])
    this._dirty = true
    if (this._watching) this._follow(session, true)
    // A blind peer's acknowledgement moved: look now, not at the next tick of the clock, so that
    // backedUp() resolves when the last block is acknowledged rather than up to a tick later.
    // (Without blind peers, no acknowledgement is counted: nothing to listen for.)
    if (this._blindPeers.length > 0) session.on('remote-contiguous-length', this._refreshSoon())
    // A full local copy: every block there is and every block appended later (end -1 is live).
    if (this._download && !core.writable) tracked.download = session.download({ start: 0, end: -1 })
    // An Autobase's cores go to the blind peers through addAutobase (it follows its writers).
    if (this._peering && this._peers() && !this._resolved?.autobase) {
      this._peering.addCoreBackground(session, this._addOptions())
    }
  }

  /** Stops following a core: its download and listener go, and its session if it is the seed's. */
  private async _untrack(tracked: Tracked): Promise<void> {
    tracked.download?.destroy()
    this._dirty = true
    this._follow(tracked.session, false)
    if (this._soon) tracked.session.off('remote-contiguous-length', this._soon)
    if (tracked.owned) await tracked.session.close().catch(noop)
  }

  /** The seed has blind peers (and a blind-peering client to reach them). */
  private _peers(): boolean {
    return this._peering !== null && this._blindPeers.length > 0
  }

  private _compute(): SeedStatus {
    let blocks = 0
    let localBlocks = 0
    const peers = new Set<string>()
    const perPeer = this._blindPeers.map((key) => ({
      key,
      hex: toHex(key),
      connected: this._connected(key),
      blocks: 0,
      backedUp: true,
    }))
    for (const tracked of this._cores) {
      const core = tracked.session
      if (core.closing || !core.opened) continue
      blocks += core.length
      // What we hold and can hand on: a view's signed part, a core's contiguous blocks.
      const held = tracked.view ? signedLength(core) : core.contiguousLength
      localBlocks += core.contiguousLength
      for (const peer of core.peers) peers.add(toHex(peer.remotePublicKey))
      if (perPeer.length === 0) continue
      const acks = (tracked.acks ??= new Map<string, number>())
      for (const bp of perPeer) {
        let ack = acks.get(bp.hex) ?? 0
        let seen = false
        for (const peer of core.peers) {
          if (!b4a.equals(peer.remotePublicKey, bp.key)) continue
          ack = seen ? Math.max(ack, peer.remoteContiguousLength) : peer.remoteContiguousLength
          seen = true
        }
        ack = Math.min(ack, core.length)
        acks.set(bp.hex, ack)
        bp.blocks += ack
        if (ack < held) bp.backedUp = false
      }
    }
    const blindPeers = perPeer.map(({ key, connected, blocks, backedUp }) => ({
      key,
      connected,
      blocks,
      backedUp: backedUp && this._cores.length > 0,
    }))
    return {
      blocks,
      localBlocks,
      peers: peers.size,
      backedUp: blindPeers.length > 0 && blindPeers.every((bp) => bp.backedUp),
      blindPeers,
    }
  }

  /** A connection to this blind peer is open: blind-peering's own, or one of the swarm's. */
  private _connected(key: Uint8Array): boolean {
    if (this._peering?.blindPeers.get(toHex(key))?.connected) return true
    for (const tracked of this._cores) {
      for (const peer of tracked.session.peers) {
        if (b4a.equals(peer.remotePublicKey, key)) return true
      }
    }
    return false
  }
}

function signedLength(core: Hypercore<unknown>): number {
  return core.signedLength
}

function statusText(s: SeedStatus): string {
  const bps = s.blindPeers.map((b) => `${toHex(b.key)}:${b.connected}:${b.blocks}:${b.backedUp}`)
  return `${s.blocks}/${s.localBlocks}/${s.peers}/${s.backedUp}/${bps.join(',')}`
}

function noop(): void {}
