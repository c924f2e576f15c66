// The storage layout: which Corestore namespace each part of the SDK keeps its cores in. On-disk
// names are fixed here, in one place, so existing data keeps opening; change none of them.

/** The namespaces and core names the SDK keeps inside a store, fixed so that data stays findable across versions. */
export const layout = {
  /** A named drive (`new Drive(store, { name })`): its own namespace, so its cores do not clash. */
  drive: (name: string): string => `@dat-sdk/drive/${name}`,
  /** A named bee (`new Bee(store, name)`): its own namespace, apart from cores and drives. */
  bee: (name: string): string => `@dat-sdk/bee/${name}`,
  /** Inside a bee's namespace (named or fresh): the name of the bee's one core. */
  beeCore: 'db',
  /** `sdk.Corestore(name)`: a namespace of the SDK's store. */
  corestore: (name: string): string => `corestore/${name}`,
  /** `sdk.Multifeed(name)`: the store a multifeed of that name is given. */
  multifeed: (name: string): string => `multifeed/${name}`,
  /** Inside a multifeed's store: the namespace its feeds and index live in. */
  multifeedFeeds: 'multifeed',
  /** The multifeed's feed index core (its name inside `multifeedFeeds`). */
  multifeedIndex: 'index',
  /** A multifeed writer named `name` (its core's name inside `multifeedFeeds`). */
  multifeedWriter: (name: string): string => `writer/${name}`,
  /** What is seeded (`sdk.seed()`), so a restart seeds it again: the seeding namespace... */
  seeding: '@dat-sdk/seeding',
  /** ...and, inside it, the name of the Hyperbee of seed records (encrypted at rest). */
  seedRecords: 'records',
} as const
