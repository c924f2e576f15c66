// Minimal declarations for what the test helpers use of hyperdht and hyperswarm (private package;
// the published declarations of hyperswarm belong to @dat-sdk/networker).
declare module 'hyperdht/testnet.js' {
  import type { EventEmitter } from 'node:events'
  export interface DHTNode extends EventEmitter {
    destroy(): Promise<void>
    address(): { host: string; port: number }
  }
  export interface Testnet {
    nodes: DHTNode[]
    bootstrap: Array<{ host: string; port: number }>
    createNode(opts?: object): DHTNode
    destroy(): Promise<void>
  }
  export default function createTestnet(size?: number, opts?: object): Promise<Testnet>
}
declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events'
  export default class Hyperswarm extends EventEmitter {
    constructor(opts?: object)
    destroy(): Promise<void>
  }
}
