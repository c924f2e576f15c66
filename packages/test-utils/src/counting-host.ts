// A host that counts what gossip extensions send, shared by @dat-sdk/gossip's tests and the gossip
// benchmark (bench/gossip.bench.ts), which counts ours and dat-gossip@1.0.0 through it alike.
import { createHash } from 'node:crypto'
import type { BinaryExtensionHandlers, ExtensionHost, HostExtension } from '@dat-sdk/interfaces'

export interface Traffic {
  messages: number
  bytes: number
  /**
   * A circuit breaker (for the benchmark's baseline): past `maxBytes` or after `deadline` (a
   * Date.now() value), `stopped` is set, `onstop` called, and sends are dropped from then on. It
   * trips inside send() because a flood of messages can starve timers.
   */
  maxBytes?: number
  deadline?: number
  onstop?: () => void
  stopped?: boolean
}

/**
 * A host that passes everything through to `core` and counts what the extensions registered on it
 * send: bytes as given (gossip sends bytes), or the JSON text of an object (dat-gossip sends
 * objects through hypercore's 'json' encoding, which writes exactly that text). A broadcast counts
 * once per peer, as it goes out once per peer.
 */
export function countingHost<P extends object>(
  core: ExtensionHost<P>,
  traffic: Traffic = { messages: 0, bytes: 0 },
) {
  const peerCount = () => (typeof core.peers === 'function' ? core.peers() : core.peers).length
  const count = (message: unknown, copies: number) => {
    if (traffic.stopped) return false
    if (
      (traffic.maxBytes !== undefined && traffic.bytes > traffic.maxBytes) ||
      (traffic.deadline !== undefined && Date.now() > traffic.deadline)
    ) {
      traffic.stopped = true
      traffic.onstop?.()
      return false
    }
    const bytes = message instanceof Uint8Array ? message.byteLength : jsonLength(message)
    traffic.messages += copies
    traffic.bytes += bytes * copies
    return true
  }
  const host = {
    traffic,
    core,
    get peers() {
      // A Core's peers is a method: hand it on bound to the Core.
      const peers = core.peers
      return typeof peers === 'function' ? () => peers.call(core) : peers
    },
    on: (event: 'peer-add' | 'peer-remove', fn: (peer: P) => void) => (core.on(event, fn), host),
    off: (event: 'peer-add' | 'peer-remove', fn: (peer: P) => void) => (core.off(event, fn), host),
    // dat-gossip@1 (the original module the benchmark runs against) unsubscribes with this name.
    removeListener: (event: 'peer-add' | 'peer-remove', fn: (peer: P) => void) => (
      core.off(event, fn),
      host
    ),
    registerExtension(name: string, handlers: BinaryExtensionHandlers<P>): HostExtension<P> {
      const ext = core.registerExtension(name, handlers)
      return {
        send(message, peer) {
          if (count(message, 1)) ext.send(message, peer)
        },
        broadcast(message) {
          if (count(message, peerCount())) ext.broadcast(message)
        },
        destroy() {
          ext.destroy()
        },
      }
    },
  }
  return host
}

/**
 * The length of `JSON.stringify(message)`, without building it for dat-gossip's `{ keys }` of
 * 64-char hex strings (serialising twice would slow dat-gossip down in the benchmark's timings).
 */
function jsonLength(message: unknown): number {
  const keys = (message as { keys?: unknown }).keys
  if (Array.isArray(keys) && Object.keys(message as object).length === 1) {
    if (keys.every((k) => typeof k === 'string' && k.length === 64)) {
      return keys.length === 0 ? 11 : 11 + keys.length * 67 - 1
    }
  }
  return Buffer.byteLength(JSON.stringify(message), 'utf8')
}

/** What dat-gossip@1.0.0 needs from hypercore 11: its `'peer-open'` is hypercore 11's `'peer-add'`. */
export function peerOpenShim<P>(core: {
  on(event: 'peer-add', fn: (peer: P) => void): unknown
  emit(event: 'peer-open', peer: P): boolean
}): void {
  core.on('peer-add', (peer: P) => core.emit('peer-open', peer))
}

/** 32 random-looking bytes, distinct per `(label, i)` and the same in every run. */
export function key(label: string, i = 0): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`${label}:${i}`).digest())
}
