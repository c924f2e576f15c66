// A static site in a drive, served to a browser by the gateway, reloading itself when a file
// changes: the folder is shared as a drive (and every change in it), the gateway serves the drive
// on an origin of its own, and the page's live.js listens for changes with server-sent events.
//
//   tsx website/website.ts <folder>
//
// Prints `site <hyper url>` and `open <http url>`; then `synced ...` for each change in the
// folder. Ctrl-D or Ctrl-C stops it. The DHT is $DAT_SDK_BOOTSTRAP (`dat-sdk testnet` runs one).
import path from 'node:path'
import readline from 'node:readline'
import { createSDK, toZ32 } from '@dat-sdk/sdk'
import { createGateway } from '@dat-sdk/gateway'

const [folder, ...extra] = process.argv.slice(2)
if (!folder || extra.length > 0) {
  console.error('usage: website.ts <folder>')
  process.exit(2)
}

const sdk = await createSDK({ storage: false })
// A folder ref: a writable drive that takes the folder's files, then every change made there.
const site = sdk.Hyperdrive(path.resolve(folder))
await site.ready()
await site.folderSync!.ready()
site.folderSync!.on('synced', ({ added, changed, removed }) =>
  console.log(
    `synced +${added.length} ~${changed.length} -${removed.length} (version ${site.version})`,
  ),
)
site.folderSync!.on('error', (err: Error) => console.error(err.message))

// Served on 127.0.0.1 only. Each drive gets its own origin, http://<z32 key>.localhost:<port>/,
// which browsers resolve to this machine by themselves.
const gateway = await createGateway(sdk)
console.log(`site ${site.url}`)
console.log(`open http://${toZ32(site.key!)}.localhost:${new URL(gateway.url).port}/`)

let closing: Promise<void> | null = null
const leave = () =>
  (closing ??= (async () => {
    await gateway.close() // ends the pages' live streams too
    await sdk.close()
    console.log('bye')
  })())
readline.createInterface({ input: process.stdin }).on('close', () => void leave())
process.once('SIGINT', () => void leave())
process.once('SIGTERM', () => void leave())
