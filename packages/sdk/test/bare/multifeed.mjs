// @dat-sdk/multifeed under Bare: two multifeeds exchange manifests and each ends up with the
// other's feed and its message, checked on both sides (the stream ends once both hold everything).
import { Store } from '@dat-sdk/store'
import { Multifeed } from '@dat-sdk/multifeed'

const storeA = Store.temp()
const storeB = Store.temp()
const alice = new Multifeed(storeA, { valueEncoding: 'json' })
const bob = new Multifeed(storeB, { valueEncoding: 'json' })
await (await alice.writer('local')).append({ text: 'hi from alice' })
await (await bob.writer('local')).append({ text: 'hi from bob' })
const a = alice.replicate(true)
const b = bob.replicate(false)
a.pipe(b).pipe(a)
await new Promise((resolve, reject) => {
  a.once('error', reject)
  b.once('error', reject)
  let ended = 0
  const done = () => ++ended === 2 && resolve()
  a.once('end', done)
  b.once('end', done)
})
// Each side: how many feeds it holds, and the first message of the one it did not write.
const seen = []
for (const multi of [alice, bob]) {
  const theirs = multi.feeds().find((f) => !f.writable)
  const message = theirs ? await theirs.get(0) : null
  seen.push(`${multi.feeds().length} ${message ? message.text : 'none'}`)
}
await alice.close()
await bob.close()
await storeA.close()
await storeB.close()
console.log(`ok multifeed alice ${seen[0]}, bob ${seen[1]}`)
