/**
 * One listener for many emitters: each emitter calls it on itself (`this`), and it calls
 * `fn(owner, emitter, ...args)`. An object that listens on many emitters (the SDK on its parts, a
 * Meter on its cores) holds this one function instead of a closure and its context for each.
 * Pass a static method (or a module function) as `fn`, so that the listener is all it holds.
 */
export function sharedListener<O, E, A extends unknown[]>(
  owner: O,
  fn: (owner: O, emitter: E, ...args: A) => void,
): (this: E, ...args: A) => void {
  return function listener(this: E, ...args: A): void {
    fn(owner, this, ...args)
  }
}
