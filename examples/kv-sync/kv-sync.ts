// A typed key-value store (Hyperbee) shared between two processes: one writes, the other watches
// a range of keys and prints each change in it as it arrives.
//
//   tsx kv-sync/kv-sync.ts write                prints `db <url>`; then reads commands:
//                                               `put <key> <price> <stock>`, `del <key>`
//   tsx kv-sync/kv-sync.ts watch <url> <prefix> prints the entries under <prefix>, then each change
//
// The DHT is $DAT_SDK_BOOTSTRAP (`dat-sdk testnet` runs one on this machine).
import readline from 'node:readline'
import { createSDK, type Bee } from '@dat-sdk/sdk'

/** What the store holds under each key: a product's price (cents) and how many are in stock. */
interface Item {
  price: number
  stock: number
}

// Values come from another peer: check them before trusting the type.
const isItem = (v: unknown): v is Item =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as Item).price) &&
  Number.isInteger((v as Item).stock)

const show = (key: string, v: unknown) =>
  isItem(v) ? `${key} price=${v.price} stock=${v.stock}` : `${key} (not an item)`

const [command, ...rest] = process.argv.slice(2)
if (!(command === 'write' && rest.length === 0) && !(command === 'watch' && rest.length === 2)) {
  console.error('usage: kv-sync.ts write | kv-sync.ts watch <url> <prefix>')
  process.exit(2)
}

const sdk = await createSDK({ storage: false })
// Keys are strings ('utf-8'); values are JSON, typed as `Item` by naming the types.
const options = { keyEncoding: 'utf-8', valueEncoding: 'json' } as const
let stop: () => Promise<void>

if (command === 'write') {
  const db: Bee<string, Item> = sdk.Hyperbee<string, Item>('inventory', options)
  await db.ready()
  await sdk.flush(db) // announced: a watcher started now finds it
  console.log(`db ${db.url}`)
  const input = readline.createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  input.on('line', (line) => {
    queue = queue.then(async () => {
      const [op, key, price, stock] = line.trim().split(/\s+/)
      if (op === 'put' && key && price && stock) {
        await db.put(key, { price: Number(price), stock: Number(stock) })
      } else if (op === 'del' && key) {
        await db.del(key)
      } else if (op) {
        return console.error(`unknown command: ${line}`)
      } else return
      console.log(`ok ${db.version}`)
    })
  })
  stop = async () => {
    input.close()
    await queue
  }
  input.on('close', () => void leave())
} else {
  const [url, prefix] = rest
  const db: Bee<string, Item> = sdk.Hyperbee<string, Item>(url, options)
  await db.ready()
  await db.update({ wait: true }) // the latest version a peer has
  // Every key that starts with `prefix`: from the prefix itself up to (not including) the prefix
  // followed by the highest code point, since keys sort by their UTF-8 bytes.
  const range = { gte: prefix, lt: prefix + '\u{10ffff}' }
  const watcher = db.watch(range)
  await watcher.ready()
  const start = watcher.current!
  for await (const { key, value } of start.createReadStream(range))
    console.log(`= ${show(key, value)}`)
  console.log(`watching ${prefix} at version ${start.version}`)
  const watching = (async () => {
    // One turn per change in the range (changes elsewhere in the db do not wake it).
    for await (const [current, previous] of watcher) {
      for await (const { left, right } of current.createDiffStream(previous.version, range)) {
        if (left && !right) console.log(`+ ${show(left.key, left.value)}`)
        else if (left && right) console.log(`~ ${show(left.key, left.value)}`)
        else if (right) console.log(`- ${right.key}`)
      }
      console.log(`version ${current.version}`)
    }
  })()
  stop = async () => {
    await watcher.close()
    await watching
  }
  readline.createInterface({ input: process.stdin }).on('close', () => void leave())
}

let closing: Promise<void> | null = null
function leave(): Promise<void> {
  return (closing ??= (async () => {
    await stop()
    await sdk.close()
    console.log('bye')
  })())
}
process.once('SIGINT', () => void leave())
process.once('SIGTERM', () => void leave())
