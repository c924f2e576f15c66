// @dat-sdk/gossip under Bare: a key advertised on one side is known on the other.
import { Store } from '@dat-sdk/store'
import { Core } from '@dat-sdk/core-wrapper'
import { Gossip } from '@dat-sdk/gossip'

const storeA = Store.temp()
const storeB = Store.temp()
const coreA = Core.from(storeA, 'discovery')
await coreA.ready()
const coreB = Core.from(storeB, coreA.key)
const alice = new Gossip(coreA)
const bob = new Gossip(coreB)
alice.advertise(Buffer.alloc(32, 0xaa))
const stream = storeA.replicate(true)
stream.pipe(storeB.replicate(false)).pipe(stream)
await new Promise((resolve) => {
  const check = () => bob.list().length === 1 && (bob.off('change', check), resolve())
  bob.on('change', check)
  check()
})
const has = bob.has(Buffer.alloc(32, 0xaa))
await alice.close()
await bob.close()
stream.destroy()
await storeA.close()
await storeB.close()
console.log(`ok gossip ${has}`)
