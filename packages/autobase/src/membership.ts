import type { AutobaseHost, SystemView } from 'autobase'
import { OpType, type Op } from './messages.js'

/** A writer of the base, as `writers()` lists them. */
export interface BaseWriter {
  /** The writer's key. */
  key: Uint8Array
  /** Whether the writer is an indexer (its writes count toward the signed order). */
  indexer: boolean
}

/** Applies a writer entry of the log to Autobase's membership; any other entry is left alone. */
export async function applyMembership(op: Op, host: AutobaseHost): Promise<void> {
  if (op.type === OpType.ADD_WRITER) {
    await host.addWriter(op.key, { indexer: op.indexer })
  } else if (op.type === OpType.REMOVE_WRITER) {
    // Autobase refuses to remove the last indexer; so does the base (the entry is skipped).
    if (host.removeable(op.key)) await host.removeWriter(op.key)
  }
}

/** The writers in Autobase's system view, less the removed ones. */
export async function listWriters(system: SystemView | null): Promise<BaseWriter[]> {
  if (!system) return []
  const out: BaseWriter[] = []
  for await (const entry of system.list() as AsyncIterable<{
    key: Uint8Array
    value: { isIndexer: boolean; isRemoved: boolean }
  }>) {
    if (!entry.value.isRemoved) out.push({ key: entry.key, indexer: entry.value.isIndexer })
  }
  return out
}
