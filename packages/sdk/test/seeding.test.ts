// Seeding with blind peers, end to end: the blind peer runs `dat-sdk blind-peer` in a process of
// its own (blind-peer turns on a hypercore flag for its whole process), the author runs in
// another and is SIGKILLed, and fresh readers get everything from the blind peer alone.
import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import path from 'node:path'
import c from 'compact-encoding'
import hypercoreCrypto from 'hypercore-crypto'
import Protomux from 'protomux'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createSDK } from '@dat-sdk/sdk'
import {
  assertRejectsCode,
  createTestnet,
  eventually,
  filesHolding,
  makeTmpDir,
  removeDir,
  startBlindPeer,
  type BlindPeerProcess,
  type LoopbackTestnet,
} from '@dat-sdk/test-utils'

const test = suite('seeding')
const AUTHOR = path.resolve(import.meta.dirname, 'fixtures/seed-author.mjs')

let testnet: LoopbackTestnet
let dirs: string[] = []
const tmp = () => {
  const dir = makeTmpDir('seed')
  dirs.push(dir)
  return dir
}

test.before.each(async () => {
  testnet = await createTestnet(3)
  dirs = []
})

test.after.each(async () => {
  await testnet.destroy()
  for (const dir of dirs) await removeDir(dir)
})

/** The author fixture, with its output as it comes. */
function startAuthor(blindPeer: BlindPeerProcess, storage: string) {
  const child = spawn(
    process.execPath,
    [AUTHOR, testnet.bootstrapList.split(',')[0], blindPeer.z32, storage],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return {
    child,
    exited,
    output: () => out,
    async line(pattern: RegExp, timeout = 90_000): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeout
      for (;;) {
        const m = out.match(pattern)
        if (m) return m
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the author did not print ${pattern}:\n${out}\n${err}`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}

async function sigkill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.kill('SIGKILL')
  await exited
}

test('an author SIGKILLed after backedUp: a fresh reader gets the drive, the bee and the Autobase from the blind peer alone', async () => {
  const blindPeer = await startBlindPeer({ bootstrap: testnet.bootstrap, storage: tmp() })
  try {
    const author = startAuthor(blindPeer, tmp())
    const urls = JSON.parse((await author.line(/^urls (.*)$/m))[1]) as Record<string, string>
    await sigkill(author.child, author.exited)

    const reader = await createSDK({
      storage: false,
      bootstrap: testnet.bootstrap,
      blindPeers: [blindPeer.key],
    })
    try {
      const drive = reader.Hyperdrive(urls.drive)
      await drive.ready()
      for (let i = 0; i < 200; i++) {
        const file = await drive.get(`/photo-${i}.txt`)
        assert.is(String(file), `photo ${i} `.repeat(20), `photo ${i}`)
      }
      const bee = reader.Hyperbee(urls.bee, { keyEncoding: 'utf-8', valueEncoding: 'utf-8' })
      await bee.ready()
      const entries: string[] = []
      for await (const { key, value } of bee.createReadStream()) entries.push(`${key}=${value}`)
      assert.is(entries.length, 50)
      assert.is(entries[7], 'k07=v7')
      const base = reader.Autobase<string, string>(urls.base, {
        keyEncoding: 'utf-8',
        valueEncoding: 'utf-8',
      })
      await base.ready()
      for (;;) {
        await base.update()
        if ((await base.get('three')) !== null) break
        await new Promise((r) => setTimeout(r, 100))
      }
      assert.is((await base.get('from'))?.value, 'writer 1')
      assert.is((await base.get('two'))?.value, 'writer 2')
      assert.is((await base.get('three'))?.value, 'writer 3')
    } finally {
      await reader.close()
    }
  } finally {
    await blindPeer.close()
  }
})

test('appending while the blind peer is down turns backedUp false; when it is back it catches up', async () => {
  const storage = tmp()
  const blindPeer = await startBlindPeer({ bootstrap: testnet.bootstrap, storage })
  const author = startAuthor(blindPeer, tmp())
  try {
    await author.line(/^urls /m)
    await blindPeer.kill()
    author.child.stdin!.write('append\n')
    await author.line(/^appended$/m)
    await author.line(/status backedUp=false/)
    await blindPeer.start() // the same storage, the same key
    const before = author.output().length
    for (;;) {
      const tail = author.output().slice(before)
      if (/status backedUp=true/.test(tail)) break
      if (author.child.exitCode !== null) throw new Error(author.output())
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    await sigkill(author.child, author.exited)
    await blindPeer.close()
  }
})

test('an SDK with blind peers flushes, seeds and stays connected: its seeding key is not its swarm key', async () => {
  const blindPeer = await startBlindPeer({ bootstrap: testnet.bootstrap, storage: tmp() })
  const sdk = await createSDK({
    storage: false,
    bootstrap: testnet.bootstrap,
    blindPeers: [blindPeer.key],
  })
  try {
    assert.ok(sdk.seedingKey && sdk.publicKey)
    assert.not.equal(sdk.seedingKey, sdk.publicKey)
    const drive = sdk.Hyperdrive('site')
    await drive.put('/a.txt', 'a')
    await sdk.flush(drive) // resolved: the swarm's connection to the blind peer is not fought over
    const seed = await sdk.seed(drive)
    await seed.backedUp({ timeout: 30_000 })
    await drive.put('/b.txt', 'b')
    await eventually(
      () => {
        const status = seed.status()
        return status.backedUp && status.blocks >= 5
      },
      { timeout: 30_000 },
    )
    assert.is(sdk.networker.peers.length, 1, 'the swarm connection to the blind peer stays up')
  } finally {
    await sdk.close()
    await blindPeer.close()
  }
})

test('a malformed blind-peer key is INVALID_KEY at once, for createSDK and for seed', async () => {
  await assertRejectsCode(
    createSDK({ storage: false, bootstrap: testnet.bootstrap, blindPeers: ['not-a-key'] }),
    'INVALID_KEY',
  )
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  try {
    const core = sdk.Hypercore('log')
    await core.append(Buffer.from('x'))
    await assertRejectsCode(sdk.seed(core, { blindPeers: ['abc'] }), 'INVALID_KEY')
  } finally {
    await sdk.close()
  }
})

test('a blind peer that never answers: the status says not connected, backedUp times out, close() within 2 s', async () => {
  const silent = new Uint8Array(32).fill(7) // nobody listens on this key
  const sdk = await createSDK({
    storage: false,
    bootstrap: testnet.bootstrap,
    blindPeers: [silent],
  })
  const core = sdk.Hypercore('log')
  await core.append([Buffer.from('a'), Buffer.from('b')])
  const seed = await sdk.seed(core)
  const status = seed.status()
  assert.is(status.blocks, 2)
  assert.is(status.localBlocks, 2)
  assert.is(status.backedUp, false)
  assert.is(status.blindPeers.length, 1)
  assert.is(status.blindPeers[0].connected, false)
  assert.is(status.blindPeers[0].blocks, 0)
  await assertRejectsCode(seed.backedUp({ timeout: 500 }), 'PEER_TIMEOUT')
  const start = Date.now()
  await sdk.close()
  assert.ok(Date.now() - start < 2000, `close() took ${Date.now() - start} ms`)
})

test('seeding an open drive (no blind peers) opens no session of its cores; when the caller closes the drive, the seed goes on with its own', async () => {
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  try {
    const drive = sdk.Hyperdrive('site')
    await drive.put('/a.txt', 'a')
    const db = drive.hyperdrive.core
    const blobs = (await drive.hyperdrive.getBlobs())!.core
    const sessions = () => [db.sessions.length, blobs.sessions.length]
    const before = sessions()
    const seed = await sdk.seed(drive)
    const blocks = db.length + blobs.length
    // Both cores are followed (the blobs core joins once the seed looks at the drive's cores).
    await eventually(() => seed.status().blocks === blocks, { timeout: 5_000 })
    assert.equal(sessions(), before, 'the seed opened no session of either core')
    await drive.close()
    assert.ok(db.closing && blobs.closing, "the drive's sessions are closed")
    // The seed follows sessions of its own now: a status computed since the close (each is a new
    // object) still counts both cores, which it would not on closed sessions.
    const stale = seed.status()
    await eventually(
      () => {
        const status = seed.status()
        return status !== stale && status.blocks === blocks && status.localBlocks === blocks
      },
      { timeout: 5_000, message: 'the seed went on after the drive closed' },
    )
    assert.equal(
      sdk.seeds().map((s) => s.kind),
      ['drive'],
    )
  } finally {
    await sdk.close()
  }
})

test('a seed without blind peers that nobody watches computes its status when asked; a watched one says when a core of it moves', async () => {
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap, autoJoin: false })
  try {
    const idle = sdk.Hypercore('idle')
    await idle.append(Buffer.from('a'))
    const seed = await sdk.seed(idle)
    assert.is(seed.status().blocks, 1)
    // Nobody listens for 'status': the seed follows no event of its core, and status() computes
    // it when called, so a move shows at once (a seed that kept it on its tick showed it up to
    // 250 ms later).
    await idle.append(Buffer.from('b'))
    const seen = seed.status()
    assert.is(seen.blocks, 2, 'computed when asked')
    assert.is(seen.localBlocks, 2)
    assert.is(seed.status(), seen, 'nothing moved: the same status')
    // Watched: a move is seen on a tick, with its 'status' event.
    const heard = new Promise<number>((resolve) =>
      seed.once('status', (status) => resolve(status.blocks)),
    )
    await idle.append(Buffer.from('c'))
    assert.is(await heard, 3)
    assert.is(seed.status().localBlocks, 3)
  } finally {
    await sdk.close()
  }
})

test('seeds come back after a restart on the same storage, and unseed forgets them', async () => {
  const storage = tmp()
  let sdk = await createSDK({ storage, bootstrap: testnet.bootstrap })
  const key = sdk.publicKey
  const core = sdk.Hypercore('log')
  await core.append(Buffer.from('x'))
  const drive = sdk.Hyperdrive('site')
  await drive.put('/a.txt', 'a')
  await sdk.seed(core)
  await sdk.seed(drive)
  assert.equal(
    sdk.seeds().map((s) => s.kind),
    ['core', 'drive'],
  )
  await sdk.close()

  sdk = await createSDK({ storage, bootstrap: testnet.bootstrap })
  try {
    assert.equal(sdk.publicKey, key, 'the same Noise key on the same storage')
    assert.equal((await sdk.seedRecords()).map((r) => r.kind).sort(), ['core', 'drive'])
    for (;;) {
      if (sdk.seeds().length === 2 && sdk.seeds().every((s) => s.opened)) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const drives = sdk.seeds().find((s) => s.kind === 'drive')!
    assert.is(drives.status().localBlocks >= 3, true, 'the db and the blobs core are both seeded')
    assert.is(await sdk.unseed(drives.url), true)
    assert.is(await sdk.unseed(drives.url), false)
    assert.equal(
      (await sdk.seedRecords()).map((r) => r.kind),
      ['core'],
    )
  } finally {
    await sdk.close()
  }
})

test('seed(url) without a kind reads block 0: a core, a drive, a bee and an Autobase are each told apart', async () => {
  const author = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  const seeder = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  try {
    const core = author.Hypercore('log')
    await core.append(Buffer.from('a line'))
    const drive = author.Hyperdrive('site')
    await drive.put('/index.html', '<h1>hi</h1>')
    const bee = author.Hyperbee('db', { keyEncoding: 'utf-8', valueEncoding: 'utf-8' })
    await bee.put('k', 'v')
    const base = author.Autobase<string, string>('room', {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await base.put('k', 'v')
    await author.flush()
    const kinds: string[] = []
    for (const part of [core, drive, bee, base]) {
      const seed = await seeder.seed(part.url!)
      kinds.push(seed.kind)
    }
    assert.equal(kinds, ['core', 'drive', 'bee', 'autobase'])
    // The drive's seed holds both of its cores: the db and the blobs.
    const driveSeed = seeder.seeds().find((s) => s.kind === 'drive')!
    for (;;) {
      const status = driveSeed.status()
      if (status.localBlocks === status.blocks && status.blocks >= 3) break
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    await seeder.close()
    await author.close()
  }
})

test('an encrypted drive: the blind peer stores ciphertext only (a plain control shows the marker), and only the key reads it', async () => {
  const marker = `PLAINTEXT-MARKER-${crypto.randomBytes(8).toString('hex')}`
  const bpDir = tmp()
  const blindPeer = await startBlindPeer({ bootstrap: testnet.bootstrap, storage: bpDir })
  const encryptionKey = crypto.randomBytes(32)
  const author = await createSDK({
    storage: false,
    bootstrap: testnet.bootstrap,
    blindPeers: [blindPeer.key],
  })
  let url: string
  try {
    // The control first: the same marker in a plain drive does reach the blind peer's files.
    const plain = author.Hyperdrive('plain')
    await plain.put('/note.txt', `control ${marker.toLowerCase()}`)
    await (await author.seed(plain)).backedUp({ timeout: 30_000 })
    const secret = author.Hyperdrive('secret', { encryptionKey })
    await secret.put('/note.txt', `secret ${marker}`)
    const seed = await author.seed(secret)
    await seed.backedUp({ timeout: 30_000 })
    url = secret.url!
  } finally {
    await author.close()
  }
  try {
    const withKey = await createSDK({
      storage: false,
      bootstrap: testnet.bootstrap,
      blindPeers: [blindPeer.key],
    })
    try {
      const drive = withKey.Hyperdrive(url, { encryptionKey: encryptionKey.toString('hex') })
      assert.is(String(await drive.get('/note.txt')), `secret ${marker}`)
    } finally {
      await withKey.close()
    }
    for (const key of [undefined, crypto.randomBytes(32)]) {
      const reader = await createSDK({
        storage: false,
        bootstrap: testnet.bootstrap,
        blindPeers: [blindPeer.key],
      })
      try {
        const drive = reader.Hyperdrive(url, key ? { encryptionKey: key } : {})
        await assertRejectsCode(
          (async () => {
            await drive.ready()
            await drive.get('/note.txt')
          })(),
          'DECRYPTION_FAILED',
        )
      } finally {
        await reader.close()
      }
    }
    await blindPeer.stop() // its storage flushed to disk
    assert.is(filesHolding(bpDir, marker.toLowerCase()).length, 1, 'the control reached the disk')
    assert.is(filesHolding(bpDir, marker).length, 0, 'no plaintext of the encrypted drive')
  } finally {
    await blindPeer.close()
  }
})

test('garbage on the blind-peer channel: never a crash, the seed is not backed up, close() within 2 s', async () => {
  // A fake blind peer: it takes the connection and answers with garbage, on the blind-peer
  // protocol's own channel and as raw bytes on the stream.
  const keyPair = hypercoreCrypto.keyPair()
  const fake = testnet.swarm({ keyPair })
  let garbageSent = 0
  fake.on('connection', (socket) => {
    socket.on('error', () => {})
    const mux = Protomux.from(socket)
    const channel = mux.createChannel({ protocol: 'blind-peer', messages: [{ encoding: c.raw }] })
    if (channel) {
      channel.open()
      for (let i = 0; i < 20; i++)
        channel.messages[0].send(crypto.randomBytes(1 + ((i * 37) % 300)))
      garbageSent++
    }
    setTimeout(() => socket.write(crypto.randomBytes(4096)), 50)
  })
  await fake.listen()
  const sdk = await createSDK({
    storage: false,
    bootstrap: testnet.bootstrap,
    blindPeers: [keyPair.publicKey],
  })
  const core = sdk.Hypercore('log')
  await core.append([Buffer.from('a'), Buffer.from('b')])
  const seed = await sdk.seed(core)
  await eventually(() => garbageSent >= 1, {
    timeout: 20_000,
    message: 'the fake blind peer was reached and sent garbage',
  })
  // A real, honest round afterwards: the SDK still works in this process.
  const other = sdk.Hypercore('other')
  await other.append(Buffer.from('still alive'))
  assert.is(seed.status().backedUp, false)
  assert.is(seed.status().blindPeers[0].blocks, 0)
  const start = Date.now()
  await sdk.close()
  assert.ok(Date.now() - start < 2000, `close() took ${Date.now() - start} ms`)
})

test.run()
