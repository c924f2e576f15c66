// @dat-sdk/networker under Bare, on the loopback testnet whose bootstrap is argv's first argument:
// a core replicates and a connection-level extension message arrives.
import { Store } from '@dat-sdk/store'
import { Networker } from '@dat-sdk/networker'

const bootstrap = [Bare.argv[2]]
const storeA = Store.temp()
const storeB = Store.temp()
const a = new Networker(storeA, { bootstrap })
const b = new Networker(storeB, { bootstrap })
try {
  const got = new Promise((resolve) => {
    b.registerExtension('chat', { encoding: 'utf-8', onmessage: (message) => resolve(message) })
  })
  const chat = a.registerExtension('chat', { encoding: 'utf-8' })
  a.on('peer-add', (peer) => chat.send('hello over bare', peer))
  const core = storeA.get('log')
  await core.append(Buffer.from('a block'))
  await a.configure(core.discoveryKey)
  const copy = storeB.get(core.key)
  await b.configure(copy.discoveryKey)
  const block = await copy.get(0)
  const message = await got
  console.log(`ok networker ${block.toString()} ${message} peers=${b.peers.length}`)
} finally {
  await a.close()
  await b.close()
  await storeA.close()
  await storeB.close()
}
