import type { AutobaseHost, AutobaseNode } from 'autobase'
import type { MessageCodec } from '@dat-sdk/store'
import { applyMembership } from './membership.js'
import { OpType, readOp } from './messages.js'

/** A node as a custom `apply` sees it: what a writer passed to `append()`, decoded. */
export interface BaseNode<T> {
  /** What the writer appended, decoded with the base's value encoding. */
  value: T
  /** The writer that appended it. */
  from: { key: Uint8Array }
  /** Its position in that writer's log (1-based, as Autobase gives it). */
  length: number
}

/** A custom view's `apply`, as the Base's options take it. */
export type CustomApply<T, V> = (
  nodes: Array<BaseNode<T>>,
  view: V,
  host: AutobaseHost,
) => Promise<void>

/**
 * Hands the `append()`ed values among `nodes` to the user's `apply`, decoded, in runs cut at each
 * writer entry, which goes to Autobase's membership in its place in the order.
 */
export async function applyCustom<T, V>(
  nodes: Array<AutobaseNode<Uint8Array | null>>,
  view: V,
  host: AutobaseHost,
  apply: CustomApply<T, V>,
  values: MessageCodec<T>,
): Promise<void> {
  let pending: Array<BaseNode<T>> = []
  for (const node of nodes) {
    const op = readOp(node.value)
    if (!op) continue
    if (op.type === OpType.APPEND) {
      let value: T
      try {
        value = values.decode(op.value)
      } catch {
        continue // a value this view's encoding cannot read: skipped on every peer alike
      }
      pending.push({ value, from: { key: node.from.key }, length: node.length })
    } else if (op.type === OpType.ADD_WRITER || op.type === OpType.REMOVE_WRITER) {
      if (pending.length > 0) await apply(pending, view, host)
      pending = []
      await applyMembership(op, host)
    }
  }
  if (pending.length > 0) await apply(pending, view, host)
}
