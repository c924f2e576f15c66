// The reader side of bench/seeding.bench.ts, one process per round: a fresh SDK (no storage) that
// knows the blind peer's key (`blindPeers`: it keeps a connection to it), opens a drive by its
// hyper:// URL, lists it and reads every file, and prints one line `RESULT {"ms":..,"bytes":..}`.
// The clock runs from the open until the last byte is read. Plain JS, so the process starts
// without a TypeScript loader.
//   node bench/seeding-reader.mjs <url> <bootstrap JSON> <blind peer z32> <expected bytes>
import { createSDK } from '../packages/sdk/dist/index.js'

const [url, bootstrapJson, blindPeer, expectedText] = process.argv.slice(2)
const expected = Number(expectedText)
const sdk = await createSDK({
  storage: false,
  bootstrap: JSON.parse(bootstrapJson),
  blindPeers: [blindPeer],
})
let bytes = 0
let ms = 0
try {
  await sdk.ready()
  const start = performance.now()
  const drive = sdk.Hyperdrive(url)
  await drive.ready()
  while (drive.version <= 1) await drive.update({ wait: true })
  for await (const entry of drive.list('/', { recursive: true })) {
    bytes += (await drive.get(entry.key)).byteLength
  }
  ms = performance.now() - start
} finally {
  await sdk.close()
}
if (bytes !== expected) throw new Error(`read ${bytes} bytes, not ${expected}`)
console.log(`RESULT ${JSON.stringify({ ms, bytes })}`)
process.exit(0)
