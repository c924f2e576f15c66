// @dat-sdk/bee-wrapper under Bare: a named bee written, replicated and read.
import { Store } from '@dat-sdk/store'
import { Bee } from '@dat-sdk/bee-wrapper'

const alice = Store.temp()
const bob = Store.temp()
const db = new Bee(alice, 'contacts', { keyEncoding: 'utf-8', valueEncoding: 'json' })
await db.put('ann', { email: 'ann@example.com' })
const copy = new Bee(bob, db.url, { keyEncoding: 'utf-8', valueEncoding: 'json' })
const stream = alice.replicate(true)
stream.pipe(bob.replicate(false)).pipe(stream)
await copy.update({ wait: true })
const node = await copy.get('ann')
await Promise.all([copy.close(), db.close()])
await Promise.all([bob.close(), alice.close()])
console.log(`ok bee ${node.value.email}`)
