// The running `dat-sdk seed`'s control socket: `seed --list` and `seed --remove` from another
// process talk to it, since the seeder holds the storage's lock (RocksDB lets one process open it).
// A Unix socket in the storage directory (or, when that path is too long for a socket, in the OS
// temporary folder under a name derived from it), made only readable by this user, speaking one
// JSON object per line each way:
//   { "op": "list" }                  → { "ok": true, "seeds": [SeedEntry...] }
//   { "op": "remove", "ref": "..." }  → { "ok": true, "removed": true | false, "url": "..." }
//   anything else                     → { "ok": false, "code": "BAD_MESSAGE" | "MESSAGE_TOO_LARGE" | ..., "error": "..." }
// What arrives on the socket is untrusted bytes: each line is bounded and validated, and a bad one
// gets an error reply while the server (and that connection) keeps running.
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** The longest request line taken, in bytes (a ref is a URL: well under this). */
export const MAX_LINE = 4096
/** The longest ref in a `remove` request (a `hyper://` URL of a domain and a path fits). */
export const MAX_REF = 1024
/** Connections served at once; more are closed at once. */
export const MAX_CONNECTIONS = 16
/** A connection with no request for this long is closed (ms). */
export const IDLE_TIMEOUT = 10_000
/** Requests of one connection waiting for an answer before it is paused. */
const MAX_PENDING = 64
/** Reply bytes a connection may leave unread before it is dropped. */
const MAX_UNREAD = 1024 * 1024
/** Longest Unix socket path Linux and macOS take (sun_path holds 108 and 104 bytes, NUL included). */
const MAX_SOCKET_PATH = 100

export type ControlRequest = { op: 'list' } | { op: 'remove'; ref: string }

/** One seed as `list` reports it. */
export interface SeedEntry {
  url: string
  kind: string
  /** Seeding now (false: recorded, not running in this seeder yet, or it failed to open). */
  running: boolean
  blocks?: number
  localBlocks?: number
  peers?: number
  backedUp?: boolean
  blindPeers?: Array<{ key: string; connected: boolean; blocks: number; backedUp: boolean }>
}

export type ControlReply =
  | { ok: true; seeds: SeedEntry[] }
  | { ok: true; removed: boolean; url: string }
  | { ok: false; code: string; error: string }

/** A request that failed to decode or validate: what the reply says. */
export class ControlError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'ControlError'
    this.code = code
  }
}

/** Where the control socket of the seeder on `storage` listens. */
export function controlSocketPath(storage: string): string {
  const inStorage = path.join(path.resolve(storage), 'seed.sock')
  if (Buffer.byteLength(inStorage) <= MAX_SOCKET_PATH) return inStorage
  const id = crypto.createHash('sha256').update(path.resolve(storage)).digest('hex').slice(0, 32)
  return path.join(os.tmpdir(), `dat-sdk-seed-${id}.sock`)
}

/**
 * Decodes one request line (without its newline). Throws `ControlError` (`MESSAGE_TOO_LARGE`,
 * `BAD_MESSAGE`) for anything that is not exactly a request; never anything else.
 */
export function decodeRequest(line: Uint8Array): ControlRequest {
  if (line.byteLength > MAX_LINE) {
    throw new ControlError('MESSAGE_TOO_LARGE', `A request line is at most ${MAX_LINE} bytes`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(line)
  } catch {
    throw new ControlError('BAD_MESSAGE', 'A request is UTF-8 JSON')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ControlError('BAD_MESSAGE', 'A request is one JSON object per line')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlError('BAD_MESSAGE', 'A request is a JSON object')
  }
  const op: unknown = Object.hasOwn(value, 'op') ? (value as { op: unknown }).op : undefined
  const keys = Object.keys(value)
  if (op === 'list') {
    if (keys.length !== 1) throw new ControlError('BAD_MESSAGE', 'list takes nothing but op')
    return { op: 'list' }
  }
  if (op === 'remove') {
    const ref: unknown = Object.hasOwn(value, 'ref') ? (value as { ref: unknown }).ref : undefined
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REF) {
      throw new ControlError(
        'BAD_MESSAGE',
        `remove takes a ref: a string of 1 to ${MAX_REF} characters`,
      )
    }
    if (keys.length !== 2) throw new ControlError('BAD_MESSAGE', 'remove takes op and ref only')
    return { op: 'remove', ref }
  }
  throw new ControlError('BAD_MESSAGE', 'op is "list" or "remove"')
}

/**
 * Splits a byte stream into lines of at most `max` bytes. A longer line is reported once as too
 * large (`onTooLarge`), and its bytes are dropped up to its newline; memory stays bounded.
 */
export class LineSplitter {
  private readonly _max: number
  private _parts: Buffer[] = []
  private _length = 0
  private _dropping = false

  constructor(max = MAX_LINE) {
    this._max = max
  }

  /** The complete lines in `chunk` (and before it): `{ line }`, or `{ tooLarge: true }` for one over the bound. */
  push(chunk: Uint8Array): Array<{ line: Buffer } | { tooLarge: true }> {
    const out: Array<{ line: Buffer } | { tooLarge: true }> = []
    let start = 0
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    while (start <= buf.byteLength) {
      const nl = buf.indexOf(0x0a, start)
      const end = nl === -1 ? buf.byteLength : nl
      if (!this._dropping) {
        const piece = buf.subarray(start, end)
        if (this._length + piece.byteLength > this._max) {
          this._dropping = true
          this._parts = []
          this._length = 0
          out.push({ tooLarge: true })
        } else if (piece.byteLength > 0) {
          this._parts.push(Buffer.from(piece))
          this._length += piece.byteLength
        }
      }
      if (nl === -1) break
      if (!this._dropping) {
        let line = Buffer.concat(this._parts, this._length)
        if (line.byteLength > 0 && line[line.byteLength - 1] === 0x0d) line = line.subarray(0, -1)
        out.push({ line })
      }
      this._parts = []
      this._length = 0
      this._dropping = false
      start = nl + 1
    }
    return out
  }
}

export interface ControlHandlers {
  list(): Promise<SeedEntry[]> | SeedEntry[]
  remove(ref: string): Promise<{ removed: boolean; url: string }>
}

/** The seeder's side: listens on `socketPath` and answers requests with `handlers`. */
export class ControlServer {
  readonly path: string
  private readonly _handlers: ControlHandlers
  private readonly _server: net.Server
  private readonly _sockets = new Set<net.Socket>()

  constructor(socketPath: string, handlers: ControlHandlers) {
    this.path = socketPath
    this._handlers = handlers
    this._server = net.createServer((socket) => this._onconnection(socket))
    this._server.maxConnections = MAX_CONNECTIONS
  }

  /**
   * Listens. The caller holds the storage's lock, so a socket file already there is a stale one
   * (a seeder that was killed): it is removed first.
   */
  async listen(): Promise<void> {
    await fs.promises.rm(this.path, { force: true })
    await new Promise<void>((resolve, reject) => {
      this._server.once('error', reject)
      this._server.listen(this.path, () => {
        this._server.off('error', reject)
        resolve()
      })
    })
    // Only this user talks to it (remove changes what is seeded).
    await fs.promises.chmod(this.path, 0o600)
    this._server.on('error', () => {})
  }

  async close(): Promise<void> {
    for (const socket of this._sockets) socket.destroy()
    await new Promise<void>((resolve) => this._server.close(() => resolve()))
    await fs.promises.rm(this.path, { force: true }).catch(() => {})
  }

  private _onconnection(socket: net.Socket): void {
    this._sockets.add(socket)
    socket.on('close', () => this._sockets.delete(socket))
    socket.on('error', () => {})
    socket.setTimeout(IDLE_TIMEOUT, () => socket.destroy())
    const lines = new LineSplitter(MAX_LINE)
    // One request at a time per connection, answered in order.
    // A client that sends faster than it reads is held back (pause), and one that never reads
    // its replies is dropped: what a connection holds stays bounded.
    let queue: Promise<void> = Promise.resolve()
    let pending = 0
    socket.on('data', (chunk: Buffer) => {
      for (const item of lines.push(chunk)) {
        pending++
        if (pending > MAX_PENDING) socket.pause()
        queue = queue.then(async () => {
          await this._answer(socket, item)
          if (--pending <= MAX_PENDING && socket.isPaused() && !socket.destroyed) socket.resume()
        })
      }
    })
  }

  private async _answer(
    socket: net.Socket,
    item: { line: Buffer } | { tooLarge: true },
  ): Promise<void> {
    let reply: ControlReply
    try {
      if ('tooLarge' in item) {
        throw new ControlError('MESSAGE_TOO_LARGE', `A request line is at most ${MAX_LINE} bytes`)
      }
      if (item.line.byteLength === 0) return // a blank line: nothing asked
      const req = decodeRequest(item.line)
      if (req.op === 'list') reply = { ok: true, seeds: await this._handlers.list() }
      else reply = { ok: true, ...(await this._handlers.remove(req.ref)) }
    } catch (err) {
      reply = errorReply(err)
    }
    if (socket.destroyed) return
    socket.write(`${JSON.stringify(reply)}\n`)
    if (socket.writableLength > MAX_UNREAD) socket.destroy()
  }
}

function errorReply(err: unknown): ControlReply {
  const e = err as { code?: unknown; message?: unknown } | null
  const code = typeof e?.code === 'string' && /^[A-Z_]{1,40}$/.test(e.code) ? e.code : 'FAILED'
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0].slice(0, 500) : 'Failed'
  return { ok: false, code, error: message }
}

/**
 * The other side: sends one request to the seeder on `storage` and resolves with its reply, or
 * null when no seeder answers there (no socket, or a stale one).
 */
export async function askSeeder(
  storage: string,
  req: ControlRequest,
  timeout = 10_000,
): Promise<ControlReply | null> {
  const socketPath = controlSocketPath(storage)
  // A socket in the shared temporary folder must be this user's own, or it is not our seeder's.
  const stat = await fs.promises.lstat(socketPath).catch(() => null)
  if (!stat || !stat.isSocket()) return null
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return null
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath)
    const lines = new LineSplitter(16 * 1024 * 1024)
    let connected = false
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`The seeder on ${storage} did not answer within ${timeout / 1000} s`))
    }, timeout)
    const done = (fn: () => void) => {
      clearTimeout(timer)
      socket.destroy()
      fn()
    }
    socket.on('connect', () => {
      connected = true
      socket.write(`${JSON.stringify(req)}\n`)
    })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Nobody listening: a seeder that was killed left its socket behind.
      if (!connected && (err.code === 'ECONNREFUSED' || err.code === 'ENOENT'))
        done(() => resolve(null))
      else done(() => reject(err))
    })
    socket.on('close', () =>
      done(() => reject(new Error(`The seeder on ${storage} closed the connection`))),
    )
    socket.on('data', (chunk: Buffer) => {
      for (const item of lines.push(chunk)) {
        if (!('line' in item)) continue
        done(() => {
          try {
            resolve(JSON.parse(item.line.toString('utf-8')) as ControlReply)
          } catch (err) {
            reject(err)
          }
        })
        return
      }
    })
  })
}
