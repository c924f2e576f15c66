/// <reference path="./types/blind-peering.d.ts" />
// `dat-sdk blind-peer`: a blind-peer server in its own process, on a loopback testnet. An author
// pushes a core to it with blind-peering and goes away; readers get the core from it alone.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import dgram from 'node:dgram'
import fs from 'node:fs'
import path from 'node:path'
import Corestore from 'corestore'
import HyperDHT from 'hyperdht'
import BlindPeering from 'blind-peering'
import {
  createTestnet,
  eventually,
  startBlindPeer,
  teardown,
  type BlindPeerProcess,
  type LoopbackTestnet,
  type Teardown,
} from '@dat-sdk/test-utils'
import { run, Running } from './helpers/cli.js'

const test = suite('dat-sdk blind-peer')
const BLOCKS = 200
let testnet: LoopbackTestnet

test.before(async () => {
  testnet = await createTestnet(3)
})
test.after(async () => {
  await testnet.destroy()
})

/** A loopback UDP port nothing listens on: a DHT that is not there. */
async function deadPort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(resolve))
  return port
}

const block = (i: number) => Buffer.from(`block ${i} of the author's log`)

/**
 * An author on the testnet appends `BLOCKS` blocks, asks the blind peer to keep the core, waits
 * until the blind peer holds all of them (its remote length: `addCore` resolves once connected,
 * not once stored), and closes everything. Resolves with the core's key.
 */
async function authorPushes(
  t: Teardown,
  blindPeer: BlindPeerProcess,
  keyPair = HyperDHT.keyPair(),
): Promise<Uint8Array> {
  const store = new Corestore(t.tmpDir('bp-author'))
  const dht = testnet.createNode({ keyPair })
  const peering = new BlindPeering(dht, store, { keys: [blindPeer.key] })
  try {
    const core = store.get({ name: 'log' })
    await core.ready()
    await core.append(Array.from({ length: BLOCKS }, (_, i) => block(i)))
    await peering.addCore(core, { announce: true })
    await eventually(
      () =>
        core.peers.some(
          (p) =>
            Buffer.from(p.remotePublicKey).equals(blindPeer.key) &&
            p.remoteContiguousLength === BLOCKS,
        ),
      { timeout: 30_000, message: `The blind peer did not hold ${BLOCKS} blocks` },
    )
    return core.key!
  } finally {
    await peering.close()
    await store.close()
    await dht.destroy()
  }
}

/**
 * A fresh reader (new storage, new swarm) reads every block of `key`, reaching the blind peer by
 * `joinPeer` or, for a core the blind peer announces, by the core's topic alone.
 */
async function readerGetsAll(
  t: Teardown,
  key: Uint8Array,
  reach: { joinPeer: Uint8Array } | 'topic',
): Promise<void> {
  const store = new Corestore(t.tmpDir('bp-reader'))
  const swarm = testnet.swarm()
  try {
    swarm.on('connection', (conn) => store.replicate(conn))
    const core = store.get({ key })
    await core.ready()
    if (!core.discoveryKey) throw new Error('A ready core has a discovery key')
    if (reach === 'topic') swarm.join(core.discoveryKey, { server: false, client: true })
    else swarm.joinPeer(reach.joinPeer)
    for (let i = 0; i < BLOCKS; i++) {
      const got = await core.get(i, { timeout: 30_000 })
      assert.ok(got !== null && block(i).equals(got), `block ${i}`)
    }
    assert.is(core.contiguousLength, BLOCKS)
  } finally {
    await swarm.destroy()
    await store.close()
  }
}

test('prints its key, the same on every start from the same storage', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('bp-storage')
    const first = t.add(await startBlindPeer({ bootstrap: testnet.bootstrap, storage }))
    assert.is(first.stdout, `${first.z32}\n`, 'one line on stdout: the key')
    assert.is(first.key.byteLength, 32)
    // stderr comes on its own pipe: wait for its last line.
    await eventually(() => first.stderr.includes('Ctrl-C to stop.'))
    assert.ok(first.stderr.includes(storage), first.stderr)
    assert.ok(first.stderr.includes(`--blind-peer ${first.z32}`), first.stderr)
    assert.ok(/at most 93\.1 GiB/.test(first.stderr), first.stderr)
    assert.is(fs.statSync(path.join(storage, 'identity')).mode & 0o777, 0o600)
    assert.is((await first.stop()).code, 0)

    const again = t.add(await startBlindPeer({ bootstrap: testnet.bootstrap, storage }))
    assert.is(again.z32, first.z32)
    await again.restart() // rejects if it comes back with another key
    assert.is(again.z32, first.z32)

    const other = t.add(
      await startBlindPeer({
        bootstrap: testnet.bootstrap,
        storage: t.tmpDir('bp-storage'),
        maxBytes: 1_000_000,
      }),
    )
    assert.is.not(other.z32, first.z32, 'another storage, another key')
    await eventually(() => other.stderr.includes('Ctrl-C to stop.'))
    assert.ok(/at most 976\.6 KiB/.test(other.stderr), other.stderr)
  } finally {
    await t.run()
  }
})

test('keeps an author’s 200 blocks: a fresh reader gets them all with the author gone, also after a restart', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('bp-storage')
    const blindPeer = t.add(await startBlindPeer({ bootstrap: testnet.bootstrap, storage }))
    const key = await authorPushes(t, blindPeer)

    let started = Date.now()
    await readerGetsAll(t, key, { joinPeer: blindPeer.key })
    console.log(`reader got ${BLOCKS} blocks from the blind peer in ${Date.now() - started} ms`)

    await blindPeer.restart()
    started = Date.now()
    await readerGetsAll(t, key, { joinPeer: blindPeer.key })
    console.log(`after a restart: ${BLOCKS} blocks in ${Date.now() - started} ms`)
  } finally {
    await t.run()
  }
})

test('garbage from a client ends that connection only: the blind peer lives on and keeps cores', async () => {
  const t = teardown()
  try {
    const blindPeer = t.add(
      await startBlindPeer({ bootstrap: testnet.bootstrap, storage: t.tmpDir('bp-storage') }),
    )
    const swarm = testnet.swarm()
    t.add(() => swarm.destroy())
    const dropped = new Promise<void>((resolve) => {
      swarm.once('connection', (conn) => {
        conn.on('error', () => {})
        conn.on('close', () => resolve())
        for (const size of [1, 3, 64, 4096, 70_000]) conn.write(crypto.randomBytes(size))
      })
    })
    swarm.joinPeer(blindPeer.key)
    await dropped // the blind peer hung up on it
    swarm.leavePeer(blindPeer.key)
    assert.ok(blindPeer.running, blindPeer.stderr)
    const key = await authorPushes(t, blindPeer)
    await readerGetsAll(t, key, { joinPeer: blindPeer.key })
    assert.not.match(blindPeer.stderr, /^dat-sdk: /m)
  } finally {
    await t.run()
  }
})

test('--trusted (any key spelling): it announces that client’s cores, so readers find them by topic', async () => {
  const t = teardown()
  try {
    const author = HyperDHT.keyPair()
    const spellings = [
      Buffer.from(author.publicKey).toString('hex'),
      `hyper://${Buffer.from(HyperDHT.keyPair().publicKey).toString('hex')}/`,
    ]
    const blindPeer = t.add(
      await startBlindPeer({
        bootstrap: testnet.bootstrap,
        storage: t.tmpDir('bp-storage'),
        trusted: [...spellings, HyperDHT.keyPair().publicKey], // the last one as z-base-32
      }),
    )
    await eventually(() => blindPeer.stderr.includes('Ctrl-C to stop.'))
    assert.ok(blindPeer.stderr.includes('3 trusted keys'), blindPeer.stderr)
    const key = await authorPushes(t, blindPeer, author)
    await readerGetsAll(t, key, 'topic')
  } finally {
    await t.run()
  }
})

test('exits with code 0 within 2 s of SIGINT and of SIGTERM, idle and with its DHT gone', async () => {
  const t = teardown()
  try {
    for (const state of ['idle', 'DHT gone']) {
      const net = await createTestnet(3)
      let destroyed: Promise<void> | null = null
      const destroy = () => (destroyed ??= net.destroy())
      t.add(destroy)
      const peers = await Promise.all(
        (['SIGINT', 'SIGTERM'] as const).map(async (signal) => ({
          signal,
          peer: t.add(
            await startBlindPeer({ bootstrap: net.bootstrap, storage: t.tmpDir('bp-signals') }),
          ),
        })),
      )
      if (state === 'DHT gone') await destroy()
      for (const { signal, peer } of peers) {
        const started = Date.now()
        peer.process.kill(signal)
        const killer = setTimeout(() => peer.process.kill('SIGKILL'), 15_000)
        const exit = await peer.exited()
        clearTimeout(killer)
        const ms = Date.now() - started
        console.log(
          `blind-peer ${state}: exit ${exit.code ?? exit.signal} ${ms} ms after ${signal}`,
        )
        assert.is(exit.code, 0, `${state}, ${signal}: ${exit.code ?? exit.signal}\n${peer.stderr}`)
        assert.ok(ms < 2000, `${state}: ${ms} ms after ${signal}\n${peer.stderr}`)
      }
    }
  } finally {
    await t.run()
  }
})

test('exits within 2 s of SIGTERM while announcing on a DHT that does not answer', async () => {
  const t = teardown()
  try {
    const bootstrap = `127.0.0.1:${await deadPort()}`
    const cmd = t.add(new Running(['blind-peer', '-s', t.tmpDir('bp-storage'), '-b', bootstrap]))
    await cmd.waitFor(/^Still announcing on the DHT/m, 'stderr')
    const started = Date.now()
    cmd.child.kill('SIGTERM')
    const exit = await cmd.exited()
    const ms = Date.now() - started
    console.log(`blind-peer announcing: exit ${exit.code ?? exit.signal} ${ms} ms after SIGTERM`)
    assert.is(exit.signal, null, exit.stderr)
    assert.ok(ms < 2000, `${ms} ms\n${exit.stderr}`)
  } finally {
    await t.run()
  }
})

test('its storage in use by another blind peer: one line, exit 1', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('bp-storage')
    t.add(await startBlindPeer({ bootstrap: testnet.bootstrap, storage }))
    const second = await run(['blind-peer', '--storage', storage, '-b', testnet.bootstrapList])
    assert.is(second.code, 1, second.stderr)
    assert.is(second.stdout, '')
    const lines = second.stderr.trimEnd().split('\n')
    assert.is(lines.length, 1, second.stderr)
    assert.ok(/^dat-sdk: .*STORAGE_LOCKED/.test(lines[0]), second.stderr)
  } finally {
    await t.run()
  }
})

test('usage mistakes exit 2 with one line and the help hint: a malformed --trusted key, no --storage', async () => {
  const t = teardown()
  try {
    const storage = t.tmpDir('bp-storage')
    const cases: Array<[string[], RegExp]> = [
      [['--storage', storage, '--trusted', 'not-a-key'], /^dat-sdk: --trusted .*"not-a-key"$/],
      [['--storage', storage, '--trusted', 'ab'.repeat(31)], /^dat-sdk: --trusted /],
      [[], /^dat-sdk: blind-peer needs --storage/],
      [['--storage', storage, 'extra'], /^dat-sdk: blind-peer takes no arguments$/],
    ]
    for (const [args, pattern] of cases) {
      const result = await run(['blind-peer', '-b', testnet.bootstrapList, ...args])
      assert.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.is(result.stdout, '')
      const lines = result.stderr.trimEnd().split('\n')
      assert.equal(lines.length, 2, result.stderr)
      assert.ok(pattern.test(lines[0]), result.stderr)
      assert.is(lines[1], 'Run dat-sdk --help for the commands and options.')
    }
    // Nothing was started, so nothing was written to the storage.
    assert.equal(fs.readdirSync(storage), [])
  } finally {
    await t.run()
  }
})

test.run()
