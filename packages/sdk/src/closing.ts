// The order the SDK closes what it opened in: each part declares what it depends on when it is
// added (a multifeed its namespace store and the networker, a gossip set its host, the networker
// the store), and a part closes only after every part that depends on it has closed. Parts with
// nothing between them close at the same time.

/** Anything the SDK closes. */
export interface Closable {
  close(): Promise<unknown>
}

const NO_DEPS: readonly Closable[] = Object.freeze([])

export class ClosingOrder {
  private readonly _deps = new Map<Closable, readonly Closable[]>()

  /**
   * Tracks `part`, to be closed after everything that will depend on it. Only tracked parts
   * count as dependencies: what the SDK was handed (a user's core as a gossip host) is not closed.
   */
  add<P extends Closable>(part: P, dependsOn: ReadonlyArray<Closable | null | undefined> = []): P {
    const deps = dependsOn.filter((d): d is Closable => !!d && d !== part && this._deps.has(d))
    // A copy of its own size: filter() pushes, and a push reserves 16 more slots (128 bytes), for
    // each of a seeder's thousand parts.
    this._deps.set(part, deps.length === 0 ? NO_DEPS : deps.slice())
    return part
  }

  /** Forgets a part that closed on its own. */
  delete(part: Closable): void {
    this._deps.delete(part)
  }

  has(part: Closable): boolean {
    return this._deps.has(part)
  }

  /** Every tracked part, in the order added. */
  parts(): Closable[] {
    return [...this._deps.keys()]
  }

  /**
   * Closes every tracked part, dependents first. A dependency is only ever declared on a part
   * added before, so there is no cycle. A part that fails to close does not hold up the rest.
   */
  async closeAll(): Promise<void> {
    const dependents = new Map<Closable, Closable[]>()
    for (const [part, deps] of this._deps) {
      for (const dep of deps) {
        let list = dependents.get(dep)
        if (!list) dependents.set(dep, (list = []))
        list.push(part)
      }
    }
    const closing = new Map<Closable, Promise<void>>()
    const close = (part: Closable): Promise<void> => {
      let done = closing.get(part)
      if (!done) {
        done = (async () => {
          await Promise.allSettled((dependents.get(part) ?? []).map(close))
          await part.close().catch(noop)
        })()
        closing.set(part, done)
      }
      return done
    }
    await Promise.allSettled(this.parts().map(close))
    this._deps.clear()
  }
}

function noop(): void {}
