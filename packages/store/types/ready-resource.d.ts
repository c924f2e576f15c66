// Hand-written declaration for `ready-resource` (ships no types), typed as far as this project uses it.
declare module 'ready-resource' {
  import { EventEmitter } from 'node:events'

  /** The Holepunch lifecycle: `_open` / `_close` run once; `ready()` / `close()` are idempotent. */
  export default class ReadyResource extends EventEmitter {
    opening: Promise<void> | null
    closing: Promise<void> | null
    opened: boolean
    closed: boolean
    ready(): Promise<void>
    close(): Promise<void>
    protected _open(): Promise<void>
    protected _close(): Promise<void>
  }
}
