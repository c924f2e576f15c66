// Hand-written declaration for the part of `hyperdht` the CLI uses directly: its testnet helper,
// which `dat-sdk testnet` and `dat-sdk demo` run (the rest of hyperdht is declared by @dat-sdk/networker).
declare module 'hyperdht/testnet.js' {
  export interface TestnetNode {
    address(): { host: string; port: number }
    destroy(): Promise<void>
  }
  export interface Testnet {
    nodes: TestnetNode[]
    bootstrap: Array<{ host: string; port: number }>
    destroy(): Promise<void>
  }
  export default function createTestnet(
    size?: number,
    opts?: { host?: string; port?: number; bootstrap?: Array<{ host: string; port: number }> },
  ): Promise<Testnet>
}
