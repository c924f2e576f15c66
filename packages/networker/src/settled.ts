// Shared by TopicSet and SwarmTopics: a topic keeps its pending promise only while it is pending.

/** The one settled promise that every finished join or flush leaves behind. */
export const SETTLED: Promise<void> = Promise.resolve()

/**
 * Keeps `pending` in `holder[field]` until it resolves, then the shared `SETTLED` in its place
 * (unless something newer took the field meanwhile): a seeder's thousand topics each kept a
 * settled promise of their own. A rejection leaves `pending` there, so later callers see it.
 */
export function holdWhilePending<K extends string>(
  holder: { [P in K]: Promise<void> | null },
  field: K,
  pending: Promise<void>,
): void {
  holder[field] = pending
  pending.then(() => {
    if (holder[field] === pending) holder[field] = SETTLED
  }, noop)
}

function noop(): void {}
