// Hand-written declaration for `blind-peering` 2 (ships no types), as far as the blind-peer
// command's test uses it to push a core. The seeding package owns the declaration the SDK uses;
// this one is for the cli's tests only and goes once the cli depends on that package.
declare module 'blind-peering' {
  import type Corestore from 'corestore'
  import type Hypercore from 'hypercore'
  import type HyperDHT from 'hyperdht'

  export default class BlindPeering {
    constructor(dht: HyperDHT, store: Corestore, opts?: { keys?: Array<Uint8Array | string> })
    /** Resolves once connected to the blind peers (not once they stored the core). */
    addCore(core: Hypercore, opts?: { announce?: boolean; referrer?: Uint8Array }): Promise<void>
    close(): Promise<void>
  }
}
