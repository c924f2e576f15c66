/// <reference types="node" preserve="true" />
// Hand-written declaration for `protomux` (ships no types), typed as far as this project uses it.
declare module 'protomux' {
  import type { Encoder } from 'compact-encoding'
  import type { Duplex } from 'node:stream'

  export interface MessageOptions<T> {
    encoding?: Encoder<T>
    onmessage?(message: T, channel: Channel): void | Promise<void>
  }
  export interface Message<T> {
    type: number
    send(message: T): boolean
    onmessage: ((message: T, channel: Channel) => void | Promise<void>) | null
  }
  export interface ChannelOptions<H = unknown> {
    protocol: string
    id?: Uint8Array | null
    unique?: boolean
    handshake?: Encoder<H> | null
    messages?: Array<MessageOptions<unknown>>
    onopen?(handshake: H, channel: Channel): void | Promise<void>
    onclose?(isRemote: boolean, channel: Channel): void | Promise<void>
    ondestroy?(channel: Channel): void | Promise<void>
    ondrain?(channel: Channel): void
    userData?: unknown
  }
  export interface Channel {
    protocol: string
    id: Uint8Array | null
    opened: boolean
    closed: boolean
    destroyed: boolean
    userData: unknown
    messages: Array<Message<unknown>>
    open(handshake?: unknown): void
    addMessage<T>(opts: MessageOptions<T>): Message<T>
    close(): void
    cork(): void
    uncork(): void
    fullyOpened(): Promise<boolean>
  }
  export default class Protomux {
    constructor(stream: Duplex, opts?: object)
    static from(stream: Duplex, opts?: object): Protomux
    static isProtomux(mux: unknown): mux is Protomux
    stream: Duplex & { remotePublicKey?: Uint8Array; publicKey?: Uint8Array }
    isIdle(): boolean
    cork(): void
    uncork(): void
    pair(
      opts: { protocol: string; id?: Uint8Array | null },
      notify: (id: Uint8Array | null) => void,
    ): void
    unpair(opts: { protocol: string; id?: Uint8Array | null }): void
    opened(opts: { protocol: string; id?: Uint8Array | null }): boolean
    createChannel<H = unknown>(opts: ChannelOptions<H>): Channel | null
    destroy(err?: Error): void
  }
}
