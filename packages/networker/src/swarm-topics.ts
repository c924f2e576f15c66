// The topics a Networker has joined on its swarm: one discovery session per topic, flushing, the
// early refreshes that let two peers joining at the same moment meet, and the look-again-at-once
// on a crowded topic. Who holds a topic is counted above this, in TopicSet.
import type { SwarmDiscovery, SwarmLike } from '@dat-sdk/interfaces'
import { toHex } from '@dat-sdk/store'
import { holdWhilePending } from './settled.js'
import type { TopicMode } from './topic-set.js'

/**
 * When a joined topic is looked up again (ms after its first flush). Two peers that join at the
 * same moment each look the topic up before the other's announcement is stored, and Hyperswarm
 * would only look again ten minutes later; a few early refreshes let them meet within seconds.
 */
const REFRESH_DELAYS = [1_000, 4_000, 15_000]
/**
 * At most this many topics run that schedule at once; a topic flushed while every slot is taken
 * goes without it (Hyperswarm still refreshes it, and the crowded-topic lookups below still run).
 * Peers need to meet on one topic only: a connection replicates every core both sides have open,
 * so the first topics' refreshes connect two processes that joined a thousand topics together.
 * Without the cap, a seeder opening 1,000 parts made 3,000 more lookups and announces in the 20 s
 * after, four times the work of announcing them, and its RSS 30 s after read 48 to 70 KiB a part
 * where without the refreshes it read 36 to 37 (bench/parts.bench.ts, one process).
 */
const MAX_EARLY_TOPICS = 64
/**
 * A DHT node answers a lookup with at most 20 of the peers it holds on a topic, picked at random
 * (HyperDHT's `Persistent.onlookup`). On a topic with more announcers than that, one lookup finds
 * a sample of them: with 32 peers on a loopback testnet, a lookup missed a given peer about one
 * time in seven, so a full mesh of 32 waited for the 4 s refresh every time, and one run in three
 * for the 15 s one (issue 21). A topic on which at least this many connected peers were found by
 * lookups is crowded: its lookups may have been cut short.
 */
const CROWDED = 20
/**
 * On a crowded topic, a lookup that found a peer no lookup had found before is made again as soon
 * as its connections shook hands, up to this many times per join: each round finds most of what
 * the last one missed, and a round that finds nobody new ends the run. (Counting new connections
 * instead stopped too soon: two peers that missed each other both had every other connection by
 * then, and waited for the 4 s refresh.) A quiet topic, or one with few peers, never looks up
 * more than the schedule above.
 */
const MAX_EAGER_REFRESHES = 6
/** How often a flush of the swarm that has not answered is asked again (ms). */
const FLUSH_RECHECK = 1_000

interface JoinedTopic {
  discoveryKey: Uint8Array
  session: SwarmDiscovery
  announce: boolean
  lookup: boolean
  flushed: boolean
  flushing: Promise<void> | null
  /** Scheduled refreshes done (REFRESH_DELAYS) and refreshes made at once on a crowded topic. */
  refreshes: number
  eager: number
  timer: ReturnType<typeof setTimeout> | null
  /** The topic holds one of the MAX_EARLY_TOPICS slots (until its schedule ends or it leaves). */
  early: boolean
}

export interface SwarmTopicsOptions {
  /** Resolves once the connections opened so far finished their handshake. */
  handshakes(): Promise<unknown>
  /** A topic was announced / looked up and its connections shook hands. */
  onflushed(discoveryKey: Uint8Array): void
  /** How many live connections go to peers that lookups found on the topic `hex`. */
  foundOn(hex: string): number
}

export class SwarmTopics {
  private readonly _swarm: SwarmLike
  private readonly _opts: SwarmTopicsOptions
  private readonly _topics = new Map<string, JoinedTopic>()
  private _closed = false
  /** The swarm flush running now, and the one queued behind it (each shared by every topic). */
  private _flushNow: Promise<void> | null = null
  private _flushNext: Promise<void> | null = null
  /** Topics running the early refresh schedule now (each holds a slot). */
  private _early = 0

  constructor(swarm: SwarmLike, opts: SwarmTopicsOptions) {
    this._swarm = swarm
    this._opts = opts
  }

  /**
   * Joins `discoveryKey` as `mode` (both false: leaves it); resolves once it was flushed. The
   * change takes effect before the first await, so calls apply in the order they are made. `hex`
   * is the key in hex, when the caller has it (TopicSet does: one copy serves both).
   */
  async set(discoveryKey: Uint8Array, mode: TopicMode, hex = toHex(discoveryKey)): Promise<void> {
    const { announce, lookup } = mode
    const prev = this._topics.get(hex)

    if (!announce && !lookup) {
      if (!prev) return
      this._topics.delete(hex)
      await this._leave(prev)
      return
    }

    let topic = prev
    let left: Promise<void> | null = null
    if (!topic || topic.announce !== announce || topic.lookup !== lookup) {
      // Join again before leaving the old session, so the topic stays joined in between.
      const session = this._swarm.join(discoveryKey, { server: announce, client: lookup })
      topic = {
        discoveryKey,
        session,
        announce,
        lookup,
        flushed: false,
        flushing: null,
        refreshes: 0,
        eager: 0,
        timer: null,
        early: false,
      }
      this._topics.set(hex, topic)
      if (prev) left = this._leave(prev)
    }
    const flushing = this._flush(hex, topic)
    await left
    await flushing
  }

  joined(discoveryKey: Uint8Array): boolean {
    return this._topics.has(toHex(discoveryKey))
  }

  flushed(discoveryKey: Uint8Array): boolean {
    return this._topics.get(toHex(discoveryKey))?.flushed === true
  }

  /** Stops every refresh; with `leave`, also destroys each discovery session (a swarm we do not own). */
  async close(leaveTopics: boolean): Promise<void> {
    this._closed = true
    const topics = [...this._topics.values()]
    this._topics.clear()
    for (const topic of topics) this._stopRefreshing(topic)
    if (leaveTopics) await Promise.allSettled(topics.map((t) => t.session.destroy()))
  }

  private _flush(hex: string, topic: JoinedTopic): Promise<void> {
    if (topic.flushing) return topic.flushing
    const before = this._opts.foundOn(hex)
    const flushing = (async () => {
      try {
        await topic.session.flushed()
        await this._swarmFlushed()
        // Connections opened until now count only once their handshake is done. (One snapshot:
        // in a busy swarm, waiting for every later connection too could wait forever.)
        await this._opts.handshakes()
      } catch {
        return // the swarm was destroyed under us: never flushed
      }
      if (this._topics.get(hex) !== topic || this._closed) return
      topic.flushed = true
      if (this._early < MAX_EARLY_TOPICS) {
        topic.early = true
        this._early++
      } else {
        topic.refreshes = REFRESH_DELAYS.length // every slot taken: no schedule for this one
      }
      this._refreshLater(hex, topic, before)
      this._opts.onflushed(topic.discoveryKey)
    })()
    // Once done, the topic holds the shared settled promise: a later flush of it resolves at
    // once either way.
    holdWhilePending(topic, 'flushing', flushing)
    return flushing
  }

  /**
   * The swarm's connections made so far are open. One swarm flush serves every topic waiting:
   * Hyperswarm's `flush()` waits on every discovery session of the swarm, so a flush per topic
   * (a thousand parts joining together) would cost each topic the work of all of them. A flush
   * counts only what is pending when it starts, so a topic arriving while one runs waits for the
   * next, which every topic arriving meanwhile shares.
   */
  private _swarmFlushed(): Promise<void> {
    if (!this._flushNow) {
      const now: Promise<void> = this._askSwarm().finally(() => {
        if (this._flushNow === now) this._flushNow = null
      })
      this._flushNow = now
      return now
    }
    if (!this._flushNext) {
      this._flushNext = this._flushNow.catch(noop).then(() => {
        this._flushNext = null
        return this._swarmFlushed()
      })
    }
    return this._flushNext
  }

  /**
   * Hyperswarm's `flush()` can miss the end of an attempt and stay pending with nothing left to
   * wait for (seen here with a `joinPeer()` connection to a blind peer, 2 runs in 6: one
   * connection, open, nothing queued). A fresh `flush()` counts only what is pending now, so ask
   * again every second until one answers.
   */
  private async _askSwarm(): Promise<void> {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const tick = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), FLUSH_RECHECK)
        timer.unref?.()
      })
      try {
        if (await Promise.race([this._swarm.flush().then(() => true), tick])) return
      } finally {
        clearTimeout(timer)
      }
      if (this._closed) return
    }
  }

  /**
   * After a lookup round and its connections' handshakes: look again at once if the topic is
   * crowded and the round found a peer not found before (`before`: the count when it began),
   * otherwise at the next scheduled delay.
   */
  private _refreshLater(hex: string, topic: JoinedTopic, before: number): void {
    const session = topic.session
    if (!topic.lookup || typeof session.refresh !== 'function') return this._endSchedule(topic)
    if (topic.eager < MAX_EAGER_REFRESHES) {
      const found = this._opts.foundOn(hex)
      if (found > before && found >= CROWDED) {
        topic.eager++
        this._refreshNow(hex, topic)
        return
      }
    }
    if (topic.refreshes >= REFRESH_DELAYS.length) return this._endSchedule(topic)
    topic.timer = setTimeout(() => {
      topic.timer = null
      topic.refreshes++
      this._refreshNow(hex, topic)
    }, REFRESH_DELAYS[topic.refreshes])
    topic.timer.unref?.()
  }

  /** Announces / looks the topic up again, waits for the connections it made, and plans the next. */
  private _refreshNow(hex: string, topic: JoinedTopic): void {
    if (this._topics.get(hex) !== topic || this._closed) return
    const before = this._opts.foundOn(hex)
    topic.session.refresh!()
      .then(async () => {
        await this._swarmFlushed()
        await this._opts.handshakes()
        if (this._topics.get(hex) !== topic || this._closed) return
        this._refreshLater(hex, topic, before)
      })
      .catch(noop) // left or destroyed meanwhile
  }

  /** The topic's early refreshes are over: its slot goes to the next topic flushed. */
  private _endSchedule(topic: JoinedTopic): void {
    if (!topic.early) return
    topic.early = false
    this._early--
  }

  private async _leave(topic: JoinedTopic): Promise<void> {
    this._stopRefreshing(topic)
    await topic.session.destroy()
  }

  private _stopRefreshing(topic: JoinedTopic): void {
    if (topic.timer) clearTimeout(topic.timer)
    topic.timer = null
    topic.refreshes = REFRESH_DELAYS.length
    topic.eager = MAX_EAGER_REFRESHES
    this._endSchedule(topic)
  }
}

function noop(): void {}
