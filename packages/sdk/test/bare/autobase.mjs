// @dat-sdk/autobase under Bare: two writers (the second added through the log) put a key each,
// and both views hold both, in the same order (each view is read and printed).
import { Base } from '@dat-sdk/autobase'
import { Store } from '@dat-sdk/store'

const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' }
const aliceStore = Store.temp()
const bobStore = Store.temp()
const alice = new Base(aliceStore, null, strings)
await alice.ready()
const bob = new Base(bobStore, alice.key, strings)
await bob.ready()
const stream = alice.replicate(true)
stream.pipe(bob.replicate(false)).pipe(stream)
await alice.addWriter(bob.localKey)
if (!bob.writable) await new Promise((resolve) => bob.once('writable', resolve))
await alice.put('greeting', 'hello')
await bob.put('answer', 'hi')
for (const base of [alice, bob]) {
  while ((await base.get('greeting')) === null || (await base.get('answer')) === null) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
// Both views, read whole: the same entries in the same order, or the script says how they differ.
const views = []
for (const base of [alice, bob]) {
  const entries = []
  for await (const { key, value } of base.createReadStream()) entries.push(`${key}=${value}`)
  views.push(entries.join(','))
}
await alice.close()
await bob.close()
await aliceStore.close()
await bobStore.close()
if (views[0] !== views[1]) throw new Error(`the views differ: alice ${views[0]}, bob ${views[1]}`)
console.log(`ok autobase alice ${views[0]} bob ${views[1]}`)
