// @dat-sdk/store under Bare: a temporary store (bare-os, bare-fs), a named core, in-process replication.
import { Store, resolveEncoding, toURL } from '@dat-sdk/store'

const store = Store.temp()
const other = Store.temp()
const log = store.get('log')
await log.append(Buffer.from('hello'))
const copy = other.get(log.key)
const a = store.replicate(true)
a.pipe(other.replicate(false)).pipe(a)
const block = await copy.get(0)
const url = toURL(log.key)
// Bare has no TextDecoder: UTF-8 must still be decoded strictly (bad bytes are BAD_MESSAGE).
const utf8 = resolveEncoding('utf-8')
const text = utf8.decode(utf8.encode('h\u00e9llo'))
let bad = 'decoded'
try {
  utf8.decode(Uint8Array.of(0x68, 0xff, 0x69))
} catch (err) {
  bad = err.code
}
await store.close()
await other.close()
console.log(
  `ok store ${block.toString()} ${url.startsWith('hyper://')} ${text === 'h\u00e9llo'} ${bad}`,
)
