// The one place the SDK counts transfers: a Meter listens to hypercore's 'download' and 'upload'
// events on the cores of one part (a Core's one, a Drive's db and blobs, a Base's many) and
// answers `stats()`. Bytes are block payload bytes as hypercore reports them (its byteLength,
// without encryption padding), not wire bytes: framing, proofs and the handshake are not in them.
import type { ConnectionTransfer, TransferStats } from '@dat-sdk/interfaces'
import { sharedListener, type Hypercore, type HypercorePeer } from '@dat-sdk/store'

export type { ConnectionTransfer, TransferStats }

/** How a `Meter` measures: its speed window, and how often it reports progress. */
export interface MeterOptions {
  /** The span, in milliseconds, speeds are measured over (default 5,000). */
  window?: number
  /** The least time, in milliseconds, between two `onprogress` calls (default 250). */
  throttle?: number
  /** Called, throttled, while blocks download (and once after the last). */
  onprogress?: () => void
  /**
   * @internal Told when a core the Meter counts meets its first peer, from the Meter's own
   * `'peer-add'` listener: a structure that makes its Core at that moment (see `CoreHost`) then
   * holds one listener on the core, not two.
   */
  owner?: FirstPeerOwner
}

/** @internal What `MeterOptions.owner` is: told of each counted core's first peer. */
export interface FirstPeerOwner {
  /** `core` (a session the Meter counts) met its first peer: called from its `'peer-add'`. */
  _meterFirstPeer(core: Hypercore<unknown>): void
}

/** The speed over a sliding window: samples of (time, bytes), dropped as they age out. */
class Rate {
  private readonly _window: number
  private _times: number[] = []
  private _bytes: number[] = []
  private _head = 0
  private _sum = 0
  private _first = -1

  constructor(window: number) {
    this._window = window
  }

  add(bytes: number, now: number): void {
    if (this._first < 0) this._first = now
    this._times.push(now)
    this._bytes.push(bytes)
    this._sum += bytes
    this._prune(now)
  }

  /** Bytes per second over the window, or since the first sample when that is sooner. */
  perSecond(now: number): number {
    this._prune(now)
    if (this._first < 0 || this._sum === 0) return 0
    const start = Math.max(now - this._window, this._first)
    // A floor on the span, so the first block alone does not read as a burst of gigabytes.
    const span = Math.max(now - start, 100)
    return Math.round((this._sum * 1000) / span)
  }

  private _prune(now: number): void {
    const cutoff = now - this._window
    while (this._head < this._times.length && this._times[this._head]! <= cutoff) {
      this._sum -= this._bytes[this._head]!
      this._head++
    }
    if (this._head > 1024 && this._head * 2 > this._times.length) {
      this._times = this._times.slice(this._head)
      this._bytes = this._bytes.slice(this._head)
      this._head = 0
    }
  }
}

/**
 * @internal A `Core` option (this package's own, not in `CoreOptions`): count on this Meter
 * instead of a new one. A structure hosting a Core on its core (a Drive, a Bee) already counts
 * that session on its own Meter.
 */
export const SHARED_METER = Symbol('shared meter')

/** A part that reports its stats in throttled `'progress'` events. */
export interface ProgressSource {
  /** How many listen to `'progress'` (an EventEmitter's). */
  listenerCount(event: 'progress'): number
  /** Emits `'progress'` with the part's stats. */
  emit(event: 'progress', stats: TransferStats): boolean
  /** The part's stats, as `'progress'` carries them. */
  stats(): TransferStats
}

/**
 * A Meter's `onprogress` for `part`: emits `'progress'` with the part's stats, and computes them
 * only while someone listens (stats() counts the local blocks in the bitfield).
 */
export function progressOf(part: ProgressSource): () => void {
  return () => {
    if (part.listenerCount('progress') > 0) part.emit('progress', part.stats())
  }
}

const NO_CONNECTIONS: ReadonlyMap<object, ConnectionTransfer> = new Map()

/**
 * Counts the blocks and payload bytes that cores download and upload, per part and per
 * connection, and measures speeds. `add()` a hypercore session to count it (listening makes the
 * session one hypercore reports transfers to), `destroy()` to stop.
 */
export class Meter {
  private _downloadedBytes = 0
  private _uploadedBytes = 0
  private _downloadedBlocks = 0
  private _uploadedBlocks = 0

  /** The sessions counted, one per core. */
  private _cores: Array<Hypercore<unknown>> = []
  /**
   * Blocks move only to and from a peer, and a core hears of its peer (`'peer-add'`) before
   * anything moves: a session is counted from its first peer (`_count()`). Until then it holds
   * this one listener, called on the session itself: a seeder's thousand idle drives held a pair
   * on each of two cores, and a larger table of events on each.
   */
  private readonly _onpeerEvent = sharedListener(this, Meter._onpeer)

  /** A counted session met its first peer: count it, and tell the owner. */
  private static _onpeer(meter: Meter, core: Hypercore<unknown>): void {
    meter._count(core)
    meter._owner?._meterFirstPeer(core)
  }

  /**
   * The listeners on every counted session, made with the first peer: one pair per Meter, not per
   * core (a transfer counts the same whichever of the part's cores it was on).
   */
  private _transfers: TransferListeners | null = null
  /** Made when the first block moves: a seeder's thousand idle parts hold none of these. */
  private _connections: Map<HypercorePeer['stream'], ConnectionTransfer> | null = null
  private _down: Rate | null = null
  private _up: Rate | null = null
  private readonly _window: number
  private readonly _throttle: number
  private readonly _onprogress: (() => void) | null
  private readonly _owner: FirstPeerOwner | null
  private _lastProgress = 0
  private _timer: ReturnType<typeof setTimeout> | null = null
  /** downloadedBlocks as of the last `onprogress`. */
  private _pending = 0
  private _destroyed = false

  constructor(opts: MeterOptions = {}) {
    const window = opts.window ?? 5000
    this._window = window
    this._throttle = opts.throttle ?? 250
    this._onprogress = opts.onprogress ?? null
    this._owner = opts.owner ?? null
  }

  /** Payload bytes downloaded since the Meter started (not wire bytes). */
  get downloadedBytes(): number {
    return this._downloadedBytes
  }

  /** Payload bytes uploaded since the Meter started (not wire bytes). */
  get uploadedBytes(): number {
    return this._uploadedBytes
  }

  /** Blocks downloaded since the Meter started. */
  get downloadedBlocks(): number {
    return this._downloadedBlocks
  }

  /** Blocks uploaded since the Meter started. */
  get uploadedBlocks(): number {
    return this._uploadedBlocks
  }

  /** Starts counting `core`'s transfers (once per session; a closed Meter ignores it). */
  add(core: Hypercore<unknown>): void {
    if (this._destroyed) return
    // Every open session of a core hears its transfers: listen on one session per core. A closed
    // one hears nothing more (Autobase closes an idle writer's core and opens it again later):
    // the new session takes its place.
    let closed: Hypercore<unknown> | null = null
    for (const c of this._cores) {
      if (c !== core && (core.id === null || c.id !== core.id)) continue
      if (c === core || c.closing === null) return
      closed = c
    }
    if (closed) {
      this._detach(closed)
      this._cores = this._cores.filter((c) => c !== closed)
    }
    // concat() makes a list of its own size (push and spread reserve 16 more slots, 128 bytes).
    this._cores = this._cores.concat([core])
    if (core.peers.length > 0) this._count(core)
    else core.on('peer-add', this._onpeerEvent)
  }

  /** Stops listening on `core`. */
  private _detach(core: Hypercore<unknown>): void {
    core.removeListener('peer-add', this._onpeerEvent)
    const listeners = this._transfers
    if (!listeners) return
    core.removeListener('download', listeners.download)
    core.removeListener('upload', listeners.upload)
  }

  /** Counts `core`'s transfers from now on (it has a peer). */
  private _count(core: Hypercore<unknown>): void {
    core.removeListener('peer-add', this._onpeerEvent)
    if (this._destroyed) return
    const listeners = (this._transfers ??= {
      download: (_index, byteLength, from) => this._ondownload(byteLength, from),
      upload: (_index, byteLength, from) => this._onupload(byteLength, from),
    })
    core.on('download', listeners.download)
    core.on('upload', listeners.upload)
  }

  /** The sessions counted. */
  cores(): Hypercore<unknown>[] {
    return [...this._cores]
  }

  /** Stops counting and stops the progress timer; the counts stay readable. */
  destroy(): void {
    this._destroyed = true
    for (const core of this._cores) this._detach(core)
    this._cores = []
    if (this._timer) clearTimeout(this._timer)
    this._timer = null
  }

  /** The part's stats, with `peers` given by the part (it knows who replicates it). */
  stats(peers: number, cores: Iterable<Hypercore<unknown>> = this._cores): TransferStats {
    const now = Date.now()
    let blocks = 0
    let local = 0
    let byteLength = 0
    const seen = new Set<string>()
    for (const core of cores) {
      // Two sessions of one core (a Drive's db seen twice, say) count once.
      const id = core.id
      if (id !== null) {
        if (seen.has(id)) continue
        seen.add(id)
      }
      blocks += core.length
      byteLength += core.byteLength
      local += localBlocks(core)
    }
    return {
      blocks,
      localBlocks: local,
      byteLength,
      downloadedBytes: this.downloadedBytes,
      uploadedBytes: this.uploadedBytes,
      downloadedBlocks: this.downloadedBlocks,
      uploadedBlocks: this.uploadedBlocks,
      peers,
      downloadSpeed: this._down?.perSecond(now) ?? 0,
      uploadSpeed: this._up?.perSecond(now) ?? 0,
    }
  }

  /** What moved over each open connection, keyed by its replication stream. */
  connections(): ReadonlyMap<object, ConnectionTransfer> {
    this._forgetClosed()
    return this._connections ?? NO_CONNECTIONS
  }

  /**
   * Lets go of the connections that closed. Done here and whenever a new connection is counted,
   * rather than on a 'close' listener (one stream carries many parts' cores, and a listener per
   * Meter would pile up on it): so the map holds the open connections and at most those that
   * closed since the last one came, never every peer a long-lived writer ever served.
   */
  private _forgetClosed(): void {
    const connections = this._connections
    if (!connections) return
    for (const stream of connections.keys()) {
      if (stream.destroyed) connections.delete(stream)
    }
  }

  private _connection(from: HypercorePeer): ConnectionTransfer | null {
    const stream = from?.stream
    if (typeof stream !== 'object' || stream === null) return null
    const connections = (this._connections ??= new Map())
    let c = connections.get(stream)
    if (!c) {
      this._forgetClosed()
      c = { remotePublicKey: from.remotePublicKey, downloadedBytes: 0, uploadedBytes: 0 }
      connections.set(stream, c)
    }
    return c
  }

  private _ondownload(byteLength: number, from: HypercorePeer): void {
    this._downloadedBytes += byteLength
    this._downloadedBlocks++
    this._down ??= new Rate(this._window)
    this._down.add(byteLength, Date.now())
    const c = this._connection(from)
    if (c) c.downloadedBytes += byteLength
    this._progress()
  }

  private _onupload(byteLength: number, from: HypercorePeer): void {
    this._uploadedBytes += byteLength
    this._uploadedBlocks++
    this._up ??= new Rate(this._window)
    this._up.add(byteLength, Date.now())
    const c = this._connection(from)
    if (c) c.uploadedBytes += byteLength
  }

  /** At most one `onprogress` per throttle period, and one after the last block. */
  private _progress(): void {
    if (!this._onprogress || this._timer || this._destroyed) return
    const wait = this._lastProgress + this._throttle - Date.now()
    if (wait <= 0) {
      this._lastProgress = Date.now()
      this._pending = this.downloadedBlocks
      this._onprogress()
      // The trailing call: what arrives inside this period is reported at its end.
      this._timer = setTimeout(() => this._trailing(), this._throttle)
      this._timer.unref?.()
      return
    }
    this._timer = setTimeout(() => this._trailing(), wait)
    this._timer.unref?.()
  }

  private _trailing(): void {
    this._timer = null
    if (this._destroyed || !this._onprogress) return
    if (this._pending === this.downloadedBlocks) return
    this._pending = this.downloadedBlocks
    this._lastProgress = Date.now()
    this._onprogress()
  }
}

/** A Meter's listeners on hypercore's `'download'` and `'upload'` (index, bytes, peer). */
interface TransferListeners {
  download: (index: number, byteLength: number, from: HypercorePeer) => void
  upload: (index: number, byteLength: number, from: HypercorePeer) => void
}

interface WithBitfield {
  core?: { bitfield?: { countSet?: (start: number, length: number) => number } | null } | null
}

/**
 * How many blocks in [start, end) of `core` are stored here (default: all of it), from its
 * bitfield; its contiguous length when the bitfield cannot be read.
 */
export function localBlocks(core: Hypercore<unknown>, start = 0, end = core.length): number {
  if (end <= start) return 0
  // Every block below the contiguous length is here: only the rest needs the bitfield, whose count
  // costs a native call per run of set bits (thousands on a core downloaded in random order).
  const contiguous = Math.max(0, Math.min(core.contiguousLength, end) - start)
  const from = start + contiguous
  if (from >= end) return contiguous
  const bitfield = (core as WithBitfield).core?.bitfield
  if (bitfield && typeof bitfield.countSet === 'function') {
    try {
      return contiguous + bitfield.countSet(from, end - from)
    } catch {
      // read below
    }
  }
  return contiguous
}
