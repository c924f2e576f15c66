/**
 * An event map: each event's name and the tuple of its listener's arguments, as Node's own
 * `EventEmitter<T>` types them. Every public class of the SDK has one.
 */
export type EventMap<T> = { [K in keyof T]: unknown[] }

/**
 * A listener of event `K` of map `E`. A class that extends an `EventEmitter` (ReadyResource) types
 * its events by merging an interface of the same name that declares `on` / `once` / `off` /
 * `emit` over its map with this (TypeScript does not let that interface extend a generic one).
 */
export type Listener<E extends EventMap<E>, K extends keyof E> = (...args: E[K]) => void

/** The events every ready-resource has. */
export interface LifecycleEvents {
  /** Emitted once the instance has opened. */
  ready: []
  /** Emitted once the instance has closed. */
  close: []
}
