// Interop with hyper-sdk@6.2.2, the SDK a JavaScript developer on the Holepunch stack picks today:
// cores, drives, live appends and extension messages cross in both directions between one of our
// SDKs and one hyper-sdk, on a loopback testnet (hyper-sdk gets a Hyperswarm on a testnet DHT node,
// so nothing reaches the public DHT). hyper-sdk runs its own copy of hypercore (same 11.37.1 pin).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import b4a from 'b4a'
import c from 'compact-encoding'
import * as HyperSDK from 'hyper-sdk'
import { createSDK, type SDK } from '@dat-sdk/sdk'
import { Networker } from '@dat-sdk/networker'
import type { Hyperbee } from '@dat-sdk/bee-wrapper'
import type { HypercorePeer } from '@dat-sdk/store'
import {
  createTestnet,
  eventually,
  teardown,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { fileArrives } from './helpers/drives.js'

const test = suite('interop with hyper-sdk@6.2.2 on a loopback testnet')

type Theirs = Awaited<ReturnType<typeof HyperSDK.create>>

let testnet: LoopbackTestnet
test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

// hyper-sdk adds a `url` getter to Hypercore, Hyperdrive and Hyperbee prototypes at runtime
// (`hyper://<z32>/`); the hypercore typings its declarations resolve to do not list it.
function urlOf(theirs: object): string {
  const url = (theirs as { url?: unknown }).url
  assert.type(url, 'string')
  return url as string
}

async function pair(t: Teardown): Promise<{ ours: SDK; theirs: Theirs }> {
  const storage = t.tmpDir('hyper-sdk')
  // hyper-sdk destroys the swarm it is given on close(); the testnet also destroys it (idempotent).
  const theirs = t.add(await HyperSDK.create({ storage, swarm: testnet.swarm() }))
  const ours = t.add(await createSDK({ storage: false, bootstrap: testnet.bootstrap }))
  return { ours, theirs }
}

test('a core written with hyper-sdk opens in ours by URL, and live appends arrive', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const writer = await theirs.get('log', { valueEncoding: 'utf-8' })
    await writer.append(['one', 'two'])
    const reader = ours.Hypercore<string>(urlOf(writer), { valueEncoding: 'utf-8' })
    await reader.ready()
    assert.ok(b4a.equals(reader.key!, writer.key!))
    assert.not.ok(reader.writable)
    assert.is(await reader.get(1), 'two')
    await writer.append('three')
    assert.is(await reader.get(2, { timeout: 20_000 }), 'three', 'a live append arrives')
    assert.is(reader.length, 3)
  } finally {
    await t.run()
  }
})

test('a core written with ours opens in hyper-sdk by URL, and live appends arrive', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const writer = ours.Hypercore<string>('log', { valueEncoding: 'utf-8' })
    await writer.append(['one', 'two'])
    await ours.flush(writer)
    const reader = await theirs.get(writer.url!, { valueEncoding: 'utf-8' })
    assert.not.ok(reader.writable)
    assert.is(reader.length, 2, 'hyper-sdk waits for the first update')
    assert.is(await reader.get(0), 'one')
    await writer.append('three')
    assert.is(await reader.get(2, { timeout: 20_000 }), 'three', 'a live append arrives')
  } finally {
    await t.run()
  }
})

test('a drive written with hyper-sdk opens in ours by URL, and later files arrive', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const drive = await theirs.getDrive('site')
    await drive.put('/index.html', b4a.from('<h1>theirs</h1>'))
    const copy = ours.Hyperdrive(urlOf(drive))
    await copy.ready()
    assert.ok(b4a.equals(copy.key!, drive.key!))
    assert.not.ok(copy.writable)
    assert.is(b4a.toString((await copy.get('/index.html'))!), '<h1>theirs</h1>')
    await drive.put('/later.txt', b4a.from('later'))
    await fileArrives(copy, '/later.txt', 'later')
  } finally {
    await t.run()
  }
})

test('a drive written with ours opens in hyper-sdk by URL, and later files arrive', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const drive = ours.Hyperdrive('site')
    await drive.ready()
    await drive.put('/index.html', '<h1>ours</h1>')
    await ours.flush(drive)
    const copy = await theirs.getDrive(drive.url!)
    assert.ok(b4a.equals(copy.key!, drive.key!))
    assert.is(b4a.toString((await copy.get('/index.html'))!), '<h1>ours</h1>')
    await drive.put('/later.txt', 'later')
    await fileArrives(copy, '/later.txt', 'later')
  } finally {
    await t.run()
  }
})

test('a large file ours writes in its 1 MiB blocks clones in hyper-sdk, by stream and by put()', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const drive = ours.Hyperdrive('large')
    await drive.ready()
    assert.is(drive.blockSize, 1024 * 1024)
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 1000)
    const ws = drive.createWriteStream('/streamed.bin')
    const stored = new Promise((resolve, reject) => {
      ws.once('close', resolve)
      ws.once('error', reject)
    })
    // In 64 KiB chunks, as a file's read stream gives them.
    for (let at = 0; at < bytes.byteLength; at += 64 * 1024) {
      ws.write(bytes.subarray(at, at + 64 * 1024))
    }
    ws.end()
    await stored
    await drive.put('/put.bin', bytes)
    // Both are stored as three 1 MiB blocks and a short one (hyperblobs alone makes 49).
    for (const path of ['/streamed.bin', '/put.bin']) {
      assert.is((await drive.entry(path))!.value.blob!.blockLength, 4)
    }
    await ours.flush(drive)
    const copy = await theirs.getDrive(drive.url!)
    for (const path of ['/streamed.bin', '/put.bin']) {
      const parts: Uint8Array[] = []
      for await (const part of copy.createReadStream(path)) parts.push(part)
      assert.ok(b4a.equals(b4a.concat(parts), bytes), path)
    }
  } finally {
    await t.run()
  }
})

test('extension messages cross both ways: ours registerExtension and hyper-sdk core.registerExtension', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const theirCore = await theirs.get('chat')
    await theirCore.append('x')
    const heardByThem: Array<{ text: string; from: string }> = []
    const theirExt = theirCore.registerExtension('interop/chat', {
      encoding: 'json',
      onmessage: (message: { text: string; from: string }) => {
        heardByThem.push(message)
      },
    })
    const heardByUs: Array<{ text: string; from: string }> = []
    const core = ours.Hypercore(urlOf(theirCore))
    const ext = core.registerExtension<{ text: string; from: string }>('interop/chat', {
      encoding: 'json',
      onmessage: (message) => {
        heardByUs.push(message)
      },
    })
    await core.ready()
    await eventually(() => core.peers().length === 1 && theirCore.peers.length === 1)

    ext.broadcast({ text: 'hello hyper-sdk', from: 'ours' })
    await eventually(() => heardByThem.length === 1, { message: 'hyper-sdk got ours' })
    assert.equal(heardByThem, [{ text: 'hello hyper-sdk', from: 'ours' }])

    theirExt.send({ text: 'hello dat-sdk', from: 'theirs' }, theirCore.peers[0])
    await eventually(() => heardByUs.length === 1, { message: 'ours got hyper-sdk' })
    assert.equal(heardByUs, [{ text: 'hello dat-sdk', from: 'theirs' }])
    assert.is(heardByThem.length, 1, 'our handshake control messages never reach their handler')
  } finally {
    await t.run()
  }
})

test('a message sent from our peer-add handler reaches a hyper-sdk peer, which answers', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    // hyper-sdk registers before it joins, as its users do; its echo answers on the same name.
    const theirCore = await theirs.get<Uint8Array>('echo', { autoJoin: false })
    await theirCore.append(b4a.from('x'))
    const heardByThem: string[] = []
    const theirExt = theirCore.registerExtension('interop/echo', {
      encoding: 'utf-8',
      onmessage: (message: string, peer: HypercorePeer) => {
        heardByThem.push(message)
        theirExt.send(`echo: ${message}`, peer)
      },
    })
    await theirs.joinCore(theirCore)

    // A 60 s handshake timeout: only the rejected dat-sdk/ready@1 probe (hyper-sdk pairs nothing
    // for it) can release the first message within the test's few seconds.
    const core = ours.Hypercore(urlOf(theirCore), { handshakeTimeout: 60_000 })
    let sentAt = 0
    let rtt = 0
    const answers: string[] = []
    const ext = core.registerExtension<string>('interop/echo', {
      encoding: 'utf-8',
      onmessage: (message) => {
        rtt = performance.now() - sentAt
        answers.push(message)
      },
    })
    core.on('peer-add', (peer) => {
      sentAt = performance.now()
      ext.send('first', peer)
    })
    await core.ready()
    await eventually(() => answers.length === 1, { timeout: 5_000, message: 'the echo came back' })
    assert.equal(heardByThem, ['first'], 'hyper-sdk got the first message exactly once')
    assert.equal(answers, ['echo: first'])
    console.log(`  first-message RTT ours -> hyper-sdk -> ours: ${rtt.toFixed(1)} ms`)
  } finally {
    await t.run()
  }
})

test("hypercore's default extension encoding is c.buffer: register c.buffer here to talk to it", async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const theirCore = await theirs.get<Uint8Array>('default-encoding', { autoJoin: false })
    await theirCore.append(b4a.from('x'))
    // No encoding: hypercore's default, a length-prefixed buffer (ours defaults to 'binary').
    const heardByThem: Uint8Array[] = []
    const theirExt = theirCore.registerExtension('interop/bytes', {
      onmessage: (message: Uint8Array, peer: HypercorePeer) => {
        heardByThem.push(message)
        theirExt.send(b4a.from('back'), peer)
      },
    })
    await theirs.joinCore(theirCore)
    const core = ours.Hypercore(urlOf(theirCore))
    const heardByUs: Uint8Array[] = []
    const ext = core.registerExtension<Uint8Array>('interop/bytes', {
      encoding: c.buffer,
      onmessage: (message) => void heardByUs.push(message),
    })
    core.on('peer-add', (peer) => ext.send(b4a.from('there'), peer))
    await core.ready()
    await eventually(() => heardByUs.length === 1, { timeout: 5_000, message: 'the answer came' })
    assert.equal(
      heardByThem.map((m) => b4a.toString(m)),
      ['there'],
    )
    assert.equal(
      heardByUs.map((m) => b4a.toString(m)),
      ['back'],
    )
  } finally {
    await t.run()
  }
})

test('bees cross both ways: hyper-sdk getBee and ours Hyperbee open each other by URL', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const enc = { keyEncoding: 'utf-8', valueEncoding: 'utf-8' } as const
    // hyper-sdk's getBee() returns a plain `Hyperbee` (no type arguments, so bytes by the one
    // hyperbee declaration's defaults) whatever the encodings: name what utf-8 gives.
    const theirBee = (await theirs.getBee('kv', enc)) as unknown as Hyperbee<string, string>
    await theirBee.put('from', 'theirs')
    const copy = ours.Hyperbee(urlOf(theirBee), enc) // utf-8 both ways: an SDKBee<string, string>
    await copy.ready()
    const from: string = (await copy.get('from'))!.value
    assert.is(from, 'theirs')

    const ourBee = ours.Hyperbee('kv', enc)
    await ourBee.put('from', 'ours')
    await ours.flush(ourBee)
    const theirCopy = (await theirs.getBee(ourBee.url!, enc)) as unknown as Hyperbee<string, string> // as above
    assert.is((await theirCopy.get('from'))?.value, 'ours')
  } finally {
    await t.run()
  }
})

test('joinPeer connects ours and hyper-sdk with no topic, both ways', async () => {
  const t = teardown()
  try {
    const { ours, theirs } = await pair(t)
    const publicKey = oursKey(ours)
    assert.ok(publicKey, 'our networker has a key pair')
    await ours.joinPeer(theirs.publicKey)
    theirs.joinPeer(publicKey)
    await eventually(
      () =>
        ours.networker.peers.some((p) => b4a.equals(p.remotePublicKey, theirs.publicKey)) &&
        // (typed as an array by hyper-sdk; at run time it is Hyperswarm's Set of connections)
        Array.from(theirs.connections).some((c) => b4a.equals(c.remotePublicKey, publicKey)),
      { timeout: 20_000, message: 'a direct connection on both sides' },
    )
    assert.is(ours.networker.peers.length, 1, 'one connection, no duplicate')
    await ours.leavePeer(theirs.publicKey)
  } finally {
    await t.run()
  }
})

/** Our networker's public key (the default `Networker` has one; a `NetworkerLike` need not). */
function oursKey(sdk: SDK): Uint8Array | null {
  return sdk.networker instanceof Networker ? sdk.networker.publicKey : null
}

test.run()
