// Who is here, and who is typing: peers meet on a topic, spread their public keys with `Gossip`
// over the networker (no core in common), and send a typing indicator to the peers they are
// connected to with a connection-level extension message.
//
//   tsx presence/presence.ts --name alice [--room lobby]
//
// Prints `me <key>`, then `+ <key>` / `- <key>` as peers come and go, and `<name> is typing` /
// `<name> stopped typing` as connected peers say so. Type `/typing`, `/idle`, or `/quit` (or
// Ctrl-D, Ctrl-C) to leave. The DHT is $DAT_SDK_BOOTSTRAP (`dat-sdk testnet` runs one here).
import readline from 'node:readline'
import { createSDK, toZ32 } from '@dat-sdk/sdk'

/** The typing indicator: who, and whether they are typing now. Sent only to connected peers. */
interface Typing {
  name: string
  typing: boolean
}

// It comes from another peer: check it before trusting the type.
const isTyping = (m: unknown): m is Typing =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as Typing).name === 'string' &&
  (m as Typing).name.length <= 64 &&
  typeof (m as Typing).typing === 'boolean'

let name = 'anon'
let room = 'lobby'
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--name') name = argv[++i] ?? name
  else if (argv[i] === '--room') room = argv[++i] ?? room
  else {
    console.error('usage: presence.ts [--name N] [--room R]')
    process.exit(2)
  }
}

const sdk = await createSDK({ storage: false })
const me = sdk.publicKey
if (!me) throw new Error('This networker has no public key')
console.log(`me ${toZ32(me)}`)

// Presence: a gossip set on the networker itself, so keys spread over every connection, and on
// from there to peers we are not connected to.
const presence = sdk.Gossip()
let known = new Set<string>()
presence.on('change', (list) => {
  const now = new Set(list.map((key) => toZ32(key)))
  for (const key of now) if (!known.has(key) && key !== toZ32(me)) console.log(`+ ${key}`)
  for (const key of known) if (!now.has(key)) console.log(`- ${key}`)
  known = now
})
presence.advertise(me)

// Typing: a connection-level extension message, straight to each connected peer, kept nowhere.
const typingNow = new Map<string, boolean>() // by peer key: what they said last
const typing = sdk.networker.registerExtension<unknown>('presence-example/typing', {
  encoding: 'json',
  onmessage(message, peer) {
    if (!isTyping(message)) return
    const from = toZ32(peer.remotePublicKey)
    if ((typingNow.get(from) ?? false) !== message.typing) {
      console.log(`${message.name} ${message.typing ? 'is typing' : 'stopped typing'}`)
    }
    typingNow.set(from, message.typing)
  },
  onerror: (err) => console.error(`a peer sent a bad message: ${err.message}`),
})
let myTyping = false
const say = (now: boolean) => {
  myTyping = now
  typing.broadcast({ name, typing: now } satisfies Typing)
}
// A peer that connects later hears where we stand.
sdk.networker.on('peer-add', (peer) => {
  if (myTyping) typing.send({ name, typing: true } satisfies Typing, peer)
})
sdk.networker.on('peer-remove', (peer) => typingNow.delete(toZ32(peer.remotePublicKey)))

const topic = sdk.join(`presence-example/${room}`)
await topic.flushed()
console.log(`joined ${room}`)

let closing: Promise<void> | null = null
const leave = () =>
  (closing ??= (async () => {
    input.close()
    presence.delete(me) // for good: a later run has a new key
    presence.broadcast()
    await endConnections()
    await sdk.close()
    console.log('bye')
  })())

// `sdk.close()` drops each connection at once, and with it what was still on its way: end them
// first (each flushes what we sent, then closes), so the deletion above reaches every peer.
// Bounded: a peer that does not close within 2 s is dropped anyway.
function endConnections(): Promise<unknown> {
  const ends = sdk.networker.peers.map(({ stream }) => {
    if (!stream || stream.destroyed) return
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000)
      stream.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      stream.end()
    })
  })
  return Promise.all(ends)
}

const input = readline.createInterface({ input: process.stdin })
input.on('line', (line) => {
  const command = line.trim()
  if (command === '/typing') say(true)
  else if (command === '/idle') say(false)
  else if (command === '/quit') void leave()
  else if (command) console.error('commands: /typing, /idle, /quit')
})
input.on('close', () => void leave())
process.once('SIGINT', () => void leave())
process.once('SIGTERM', () => void leave())
