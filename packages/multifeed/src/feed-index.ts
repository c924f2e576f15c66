// The Multifeed's own list of feeds, in the order they arrived, kept in a local hypercore of its
// namespace (never replicated: no one else has its key). One block per feed: so `feeds()` has the
// same order after a restart, and a writer's name keeps its feed whatever key pair it was made with.
import c, { type Encoder } from 'compact-encoding'
import type { Hypercore } from '@dat-sdk/store'

export interface IndexEntry {
  key: Uint8Array
  /** The writer's name for a local feed; null for a remote one. */
  name: string | null
}

const LOCAL = 1

const EntryCodec: Encoder<IndexEntry> = {
  preencode(state, e) {
    c.uint.preencode(state, e.name === null ? 0 : LOCAL)
    c.fixed32.preencode(state, e.key)
    if (e.name !== null) c.string.preencode(state, e.name)
  },
  encode(state, e) {
    c.uint.encode(state, e.name === null ? 0 : LOCAL)
    c.fixed32.encode(state, e.key)
    if (e.name !== null) c.string.encode(state, e.name)
  },
  decode(state) {
    const flags = c.uint.decode(state)
    const key = c.fixed32.decode(state)
    const name = flags & LOCAL ? c.string.decode(state) : null
    return { key, name }
  },
}

export class FeedIndex {
  readonly core: Hypercore<Uint8Array>

  constructor(core: Hypercore<Uint8Array>) {
    this.core = core
  }

  async load(): Promise<IndexEntry[]> {
    await this.core.ready()
    const blocks = await Promise.all(
      Array.from({ length: this.core.length }, (_, i) => this.core.get(i, { wait: false })),
    )
    return blocks.map((block, i) => {
      if (!block) throw new Error(`The multifeed index is missing entry ${i}: storage is damaged`)
      return c.decode(EntryCodec, block)
    })
  }

  async add(entries: IndexEntry[]): Promise<void> {
    if (entries.length === 0) return
    await this.core.append(entries.map((e) => c.encode(EntryCodec, e)))
  }
}
