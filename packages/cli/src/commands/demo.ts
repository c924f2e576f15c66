import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import createTestnet, { type Testnet } from 'hyperdht/testnet.js'
import { createSDK, type Base, type Multifeed, type SDK } from '@dat-sdk/sdk'
import type { Parsed } from '../args.js'
import { UsageError } from '../args.js'
import { CliError, within, type IO } from '../io.js'
import { formatBytes, formatDuration, ProgressBar } from '../progress.js'

const STEP_TIMEOUT = 30_000
const NAMES = ['alice', 'bob', 'carol'] as const

interface Peer {
  name: string
  sdk: SDK
}

interface Hello {
  type: 'hello' | 'reply'
  from: string
}

/**
 * `dat-sdk demo`: three peers on a loopback testnet share a folder and clone it, write a
 * three-writer multifeed and a three-writer Autobase (one writer joins by invite), gossip a set
 * of keys and exchange a connection-level extension message, printing what happened and how long
 * each step took. Nothing leaves the machine; everything it makes is removed when it ends.
 */
export async function demo({ positionals, flags }: Parsed, io: IO): Promise<number> {
  if (positionals.length !== 0) throw new UsageError('demo takes no arguments')
  const out = io.stdout
  const began = Date.now()
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dat-sdk-demo-'))
  let testnet: Testnet | null = null
  const peers: Peer[] = []
  let stepNo = 0

  async function step<T>(
    title: string,
    fn: () => Promise<T>,
    describe: (value: T) => string,
  ): Promise<T> {
    stepNo++
    const started = Date.now()
    if (io.signal.aborted) throw new CliError('Stopped')
    const value = await within(
      fn(),
      STEP_TIMEOUT,
      `The ${title} step did not finish within ${STEP_TIMEOUT / 1000} s`,
    )
    const ms = Date.now() - started
    const lines = describe(value).split('\n')
    out.write(
      `${String(stepNo).padStart(2)}. ${title.padEnd(10)} ${lines[0]}  (${formatDuration(ms)})\n`,
    )
    for (const line of lines.slice(1)) out.write(`    ${''.padEnd(10)} ${line}\n`)
    return value
  }

  try {
    out.write('dat-sdk demo: three peers on a loopback testnet; nothing leaves this machine.\n\n')

    const bootstrap = await step(
      'testnet',
      async () => {
        if (flags.bootstrap) return flags.bootstrap
        testnet = await createTestnet(3, { host: '127.0.0.1' })
        return testnet.bootstrap.map((b) => `${b.host}:${b.port}`)
      },
      (b) => (flags.bootstrap ? `using ${b.join(', ')}` : `3 DHT nodes, bootstrap ${b[0]}`),
    )

    await step(
      'peers',
      async () => {
        for (const name of NAMES) {
          const storage = flags.storage
            ? path.join(flags.storage, name)
            : path.join(work, `${name}-storage`)
          peers.push({ name, sdk: await createSDK({ storage, bootstrap }) })
        }
      },
      () => `${NAMES.join(', ')}: an SDK each, with its own storage`,
    )
    const [alice, bob, carol] = peers

    // -- share and clone ---------------------------------------------------------------------
    const source = path.join(work, 'shared')
    const made = await makeFolder(source)
    const drive = await step(
      'share',
      async () => {
        const d = alice.sdk.Hyperdrive(source)
        await d.ready()
        await d.folderSync!.ready()
        await alice.sdk.flush(d)
        return d
      },
      (d) => `alice shares a folder of ${made.files} files (${formatBytes(made.bytes)})\n${d.url}`,
    )

    const target = path.join(work, 'cloned')
    await step(
      'clone',
      async () => {
        const copy = bob.sdk.Hyperdrive(drive.url)
        await copy.ready()
        await copy.update()
        const bar = new ProgressBar(out, '               bob')
        const sync = copy.syncFolder(target, { live: false })
        let last = { files: 0, bytes: 0 }
        sync.on('progress', (p) => {
          last = p
          bar.update(p)
        })
        sync.on('error', (err: Error) => out.write(`dat-sdk: ${err.message}\n`))
        await sync.ready()
        bar.done({ ...last, totalFiles: last.files, totalBytes: last.bytes })
        await sameFolders(source, target)
        return last
      },
      (p) => `bob cloned ${p.files} files (${formatBytes(p.bytes)}); every byte matches alice's`,
    )

    // -- a three-writer multifeed ------------------------------------------------------------
    await step(
      'multifeed',
      async () => {
        const feeds: Array<Multifeed<{ from: string; text: string }>> = []
        for (const peer of peers) {
          const multi = peer.sdk.Multifeed<{ from: string; text: string }>('demo-chat', {
            valueEncoding: 'json',
          })
          const writer = await multi.writer('me')
          await writer.append(
            [1, 2, 3].map((i) => ({ from: peer.name, text: `message ${i} from ${peer.name}` })),
          )
          await peer.sdk.flush(multi)
          feeds.push(multi)
        }
        await waitFor(() =>
          feeds.every(
            (m) =>
              m.feeds().length === 3 &&
              m.feeds().every((f) => f.length === 3 && f.contiguousLength === 3),
          ),
        )
        const log = []
        for (const f of feeds[1].feeds())
          for (let i = 0; i < f.length; i++) log.push(await f.get(i))
        return log.length
      },
      (n) => `alice, bob and carol each wrote 3 messages; every peer holds 3 feeds, ${n} messages`,
    )

    // -- a three-writer Autobase (carol joins by invite) --------------------------------------
    await step(
      'autobase',
      async () => {
        const strings = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
        const doc = alice.sdk.Autobase<string, string>('demo-doc', strings)
        await doc.ready()
        await alice.sdk.flush(doc)
        // bob hands alice his writer key; carol gets a single-use invite instead.
        const bobDoc = bob.sdk.Autobase<string, string>(doc.key, strings)
        await bobDoc.ready()
        await doc.addWriter(bobDoc.localKey!)
        const invite = await doc.createInvite()
        const carolDoc = carol.sdk.Autobase<string, string>(invite, strings)
        await carolDoc.ready()
        const bases = [doc, bobDoc, carolDoc]
        await waitFor(() => bases.every((b) => b.writable))
        await Promise.all(
          bases.map(async (base, i) => {
            for (const n of [1, 2, 3])
              await base.put(`${NAMES[i]}/${n}`, `note ${n} from ${NAMES[i]}`)
          }),
        )
        let views: string[][] = []
        await waitFor(async () => {
          views = await Promise.all(bases.map(dumpBase))
          return views.every((v) => v.length === 9 && v.join('\n') === views[0].join('\n'))
        })
        return views[0].length
      },
      (n) =>
        `alice, bob (added by key) and carol (by invite) each put 3 keys; all views hold the same ${n}`,
    )

    // -- gossip ------------------------------------------------------------------------------
    await step(
      'gossip',
      async () => {
        const sets = peers.map((p) => p.sdk.Gossip())
        for (const set of sets) for (let i = 0; i < 5; i++) set.advertise(crypto.randomBytes(32))
        await waitFor(() => sets.every((s) => s.list().length === 15))
        return sets[2].list().length
      },
      (n) => `each advertised 5 keys over its connections; all three list the same ${n}`,
    )

    // -- a connection-level extension --------------------------------------------------------
    await step(
      'extension',
      async () => {
        const replies: string[] = []
        for (const peer of [bob, carol]) {
          const ext = peer.sdk.networker.registerExtension<Hello>('dat-sdk-demo/hello', {
            encoding: 'json',
            onmessage: (message, from) => {
              if (message.type === 'hello') ext.send({ type: 'reply', from: peer.name }, from)
            },
          })
        }
        const mine = alice.sdk.networker.registerExtension<Hello>('dat-sdk-demo/hello', {
          encoding: 'json',
          onmessage: (message) => {
            if (message.type === 'reply') replies.push(message.from)
          },
        })
        await waitFor(() => alice.sdk.networker.peers.length >= 2)
        mine.broadcast({ type: 'hello', from: 'alice' })
        await waitFor(() => replies.length >= 2)
        return replies.sort()
      },
      (r) => `alice said hello on a connection-level extension; ${r.join(' and ')} answered`,
    )

    out.write(`\nDone in ${formatDuration(Date.now() - began)}.\n`)
    return 0
  } finally {
    await Promise.allSettled(peers.map((p) => p.sdk.close()))
    if (testnet) await (testnet as Testnet).destroy()
    await fs.promises.rm(work, { recursive: true, force: true })
  }
}

/** A folder of text and binary files in a few subfolders: about 2 MiB. */
async function makeFolder(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0
  let bytes = 0
  const write = async (rel: string, data: Uint8Array | string) => {
    const file = path.join(dir, rel)
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    await fs.promises.writeFile(file, data)
    files++
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
  }
  await write('README.md', '# A shared folder\n\nMade by `dat-sdk demo`.\n')
  for (let i = 0; i < 20; i++) {
    await write(`notes/note-${String(i).padStart(2, '0')}.txt`, `Note ${i}\n`.repeat(200 + i * 50))
  }
  for (let i = 0; i < 8; i++) await write(`photos/photo-${i}.bin`, crypto.randomBytes(200 * 1024))
  await write('photos/empty.bin', new Uint8Array(0))
  return { files, bytes }
}

/** Throws unless both folders hold the same files with the same bytes (`.dat` aside). */
async function sameFolders(a: string, b: string): Promise<void> {
  const list = async (root: string): Promise<string[]> => {
    const out: string[] = []
    const walk = async (rel: string) => {
      for (const entry of await fs.promises.readdir(path.join(root, rel), {
        withFileTypes: true,
      })) {
        const r = path.join(rel, entry.name)
        if (entry.isDirectory()) await walk(r)
        else if (r !== '.dat') out.push(r)
      }
    }
    await walk('')
    return out.sort()
  }
  const [fa, fb] = await Promise.all([list(a), list(b)])
  if (fa.join('\n') !== fb.join('\n')) throw new CliError('The clone does not hold the same files')
  for (const f of fa) {
    const [x, y] = await Promise.all([
      fs.promises.readFile(path.join(a, f)),
      fs.promises.readFile(path.join(b, f)),
    ])
    if (!x.equals(y)) throw new CliError(`The clone's ${f} differs`)
  }
}

/** Every entry of a base's view, as `key=value` in key order. */
async function dumpBase(base: Base<string, string>): Promise<string[]> {
  const out: string[] = []
  for await (const e of base.createReadStream()) out.push(`${e.key}=${e.value}`)
  return out
}

/** Polls `ok` until it holds; gives up (and stops polling) at the step's deadline. */
async function waitFor(ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT
  while (!(await ok())) {
    if (Date.now() > deadline) throw new CliError('Timed out waiting for the peers')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
