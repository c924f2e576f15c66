// protomux's messages carry a `recv(state, channel)` that decodes and dispatches an incoming
// message; the Base wraps it on blind-pairing's channels so undecodable bytes are reported, not
// fatal to the connection (see src/pairing.ts). Declared here as a module augmentation.
import 'protomux'

declare module 'protomux' {
  interface Message<T> {
    recv(state: { buffer: Uint8Array; start: number; end: number }, channel: Channel): unknown
  }
}
