// @dat-sdk/store under Bare: a temporary store (bare-os, bare-fs), a named core, in-process replication.
import { Store, toURL } from '@dat-sdk/store'

const store = Store.temp()
const other = Store.temp()
const log = store.get('log')
await log.append(Buffer.from('hello'))
const copy = other.get(log.key)
const a = store.replicate(true)
a.pipe(other.replicate(false)).pipe(a)
const block = await copy.get(0)
const url = toURL(log.key)
await store.close()
await other.close()
console.log(`ok store ${block.toString()} ${url.startsWith('hyper://')}`)
