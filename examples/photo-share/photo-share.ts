// Share a folder of photos; clone it with a progress bar; keep it online with a blind peer after
// its author has gone.
//
//   tsx photo-share/photo-share.ts share <folder> [--blind-peer <key>]
//       prints `sharing <url>` and `files <n>`; with a blind peer, `backed up` once it holds
//       every photo. Stays online, following the folder, until Ctrl-D or Ctrl-C.
//   tsx photo-share/photo-share.ts clone <url> <folder> [--blind-peer <key>]
//       downloads every photo into <folder> with a progress bar (on stderr), prints
//       `cloned <n> files (<bytes> bytes)`, and exits.
//
// A blind peer (`dat-sdk blind-peer`) keeps what it is given and serves it, without being able to
// read it if it is encrypted. The DHT is $DAT_SDK_BOOTSTRAP (`dat-sdk testnet` runs one here).
import path from 'node:path'
import readline from 'node:readline'
import { createSDK } from '@dat-sdk/sdk'

const usage = () => {
  console.error(
    'usage: photo-share.ts share <folder> [--blind-peer <key>]\n' +
      '       photo-share.ts clone <url> <folder> [--blind-peer <key>]',
  )
  process.exit(2)
}
const positional: string[] = []
const blindPeers: string[] = []
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--blind-peer') blindPeers.push(argv[++i] ?? usage())
  else positional.push(argv[i])
}
const [command, ...rest] = positional
if (!(command === 'share' && rest.length === 1) && !(command === 'clone' && rest.length === 2)) {
  usage()
}

// A reader that names blind peers here keeps a connection to each, and gets from them what the
// author, gone, no longer serves. (The author names them when it seeds: see below.)
const sdk = await createSDK({ storage: false, blindPeers: command === 'clone' ? blindPeers : [] })

if (command === 'share') {
  // A folder ref: the drive named in <folder>/.dat (or a new one, which writes it), kept in sync
  // with the folder: every photo now, and every change from now on.
  const drive = sdk.Hyperdrive(path.resolve(rest[0]))
  await drive.ready()
  await drive.folderSync!.ready()
  await sdk.flush(drive) // announced: a peer can find it now
  let files = 0
  for await (const _ of drive.list('/')) files++
  console.log(`sharing ${drive.url}`)
  console.log(`files ${files}`)
  if (blindPeers.length > 0) {
    // (Given to createSDK({ blindPeers }) instead, they would be every seed's default; an
    // `sdk.flush()` with them there did not resolve in our tests, so the author flushes first.)
    for (const key of blindPeers) await sdk.joinPeer(key)
    const seed = await sdk.seed(drive, { blindPeers })
    await seed.backedUp() // every block of the drive, as it is now, is on the blind peer
    console.log('backed up')
  }
  drive.folderSync!.on('synced', ({ added, changed, removed }) =>
    console.log(`synced +${added.length} ~${changed.length} -${removed.length}`),
  )
  await new Promise<void>((resolve) => {
    readline.createInterface({ input: process.stdin }).on('close', resolve)
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
} else {
  const [url, folder] = rest
  const drive = sdk.Hyperdrive(url)
  await drive.ready()
  // Wait until a peer (the author or a blind peer) has told us the drive's latest version.
  const deadline = Date.now() + 60_000
  while (drive.version <= 1) {
    if (Date.now() > deadline) {
      console.error(`No peer has ${url} (is it shared, on the same DHT?)`)
      await sdk.close()
      process.exit(1)
    }
    if (!(await drive.update({ wait: true }))) await new Promise((r) => setTimeout(r, 250))
  }
  const sync = drive.syncFolder(path.resolve(folder), { live: false })
  let last = { files: 0, bytes: 0 }
  sync.on('progress', (p) => {
    last = p
    process.stderr.write(`\r${bar(p.files, p.totalFiles)} ${p.files}/${p.totalFiles ?? '?'} files`)
  })
  let failed = 0
  sync.on('error', (err: Error) => {
    failed++
    console.error(`\n${err.message}`)
  })
  await sync.ready()
  process.stderr.write('\n')
  console.log(`cloned ${last.files} files (${last.bytes} bytes)`)
  if (failed > 0) process.exitCode = 1
}

await sdk.close()
console.log('bye')

function bar(done: number, total: number | undefined, width = 30): string {
  const full = total ? Math.round((done / total) * width) : 0
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`
}
