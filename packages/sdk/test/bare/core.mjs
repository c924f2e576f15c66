// @dat-sdk/core-wrapper under Bare: a first extension message sent from 'peer-add' arrives.
import { Store } from '@dat-sdk/store'
import { Core } from '@dat-sdk/core-wrapper'

const storeA = Store.temp()
const storeB = Store.temp()
const writer = Core.from(storeA, 'my-log')
await writer.append(Buffer.from('hello'))
const reader = Core.from(storeB, writer.key)
const welcomed = new Promise((resolve) => {
  reader.registerExtension('chat', {
    encoding: 'json',
    onmessage: (message) => resolve(message.hi),
  })
})
writer.registerExtension('chat', { encoding: 'json' })
writer.on('peer-add', (peer) => peer.extension('chat', { hi: 'welcome' }))
const a = storeA.replicate(true)
a.pipe(storeB.replicate(false)).pipe(a)
const block = await reader.get(0)
const hi = await welcomed
a.destroy()
await storeA.close()
await storeB.close()
console.log(`ok core ${block.toString()} ${hi}`)
