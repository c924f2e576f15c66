// A chat room on Autobase: every member writes to their own log, Autobase orders all of them into
// one view, the same on every peer. One peer creates the room and hands out invites; others join
// with one and become writers.
//
//   tsx chat/chat.ts create --name alice          prints `room <url>` and `invite <invite>`
//   tsx chat/chat.ts join <invite> --name bob     prints `joined <url>`, then `writable`
//
// Then type a line to send it. `/invite` prints a new invite (each is single-use), `/history`
// prints the room in its agreed order, `/quit` (or end of input, or Ctrl-C) leaves.
// The DHT is $DAT_SDK_BOOTSTRAP (`dat-sdk testnet` runs one on this machine).
import readline from 'node:readline'
import { createSDK, type Base } from '@dat-sdk/sdk'

/** One chat message, as every writer appends it and as the view holds it. */
interface Message {
  name: string
  text: string
}

/** The view: one log of messages in Autobase's order (a hypercore of the view store). */
interface ChatLog {
  readonly length: number
  append(message: Message): Promise<unknown>
  get(index: number): Promise<Message | null>
}

const isMessage = (m: unknown): m is Message =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as Message).name === 'string' &&
  typeof (m as Message).text === 'string'

// `room.view` is what `open` returned last (Autobase reopens the view now and then, so read it
// each time rather than keep it). Its type also allows the default key-value view: tell them apart.
const isChatLog = (v: unknown): v is ChatLog =>
  typeof v === 'object' && v !== null && typeof (v as ChatLog).length === 'number'

function chatLog(): ChatLog {
  const view = room.view
  if (!isChatLog(view)) throw new Error('The room has no message log (not open yet?)')
  return view
}

function parseArgs(argv: string[]): { command: string; invite?: string; name: string } {
  const [command, ...rest] = argv
  let name = ''
  const positional: string[] = []
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--name') name = rest[++i] ?? ''
    else positional.push(rest[i])
  }
  if (command === 'create' && positional.length === 0) return { command, name: name || 'host' }
  if (command === 'join' && positional.length === 1) {
    return { command, invite: positional[0], name: name || 'guest' }
  }
  console.error('usage: chat.ts create [--name N] | chat.ts join <invite> [--name N]')
  process.exit(2)
}

const args = parseArgs(process.argv.slice(2))
const sdk = await createSDK({ storage: false })

const room: Base<Uint8Array, Message, ChatLog> = sdk.Autobase<Uint8Array, Message, ChatLog>(
  args.invite ?? null,
  {
    valueEncoding: 'json',
    open: (store) => store.get<Message>({ name: 'messages', valueEncoding: 'json' }),
    // Deterministic: the view is built from the nodes alone, so it is the same on every peer.
    async apply(nodes, view) {
      for (const node of nodes) if (isMessage(node.value)) await view.append(node.value)
    },
  },
)
await room.ready()
if (args.command === 'create') {
  console.log(`room ${room.url}`)
  console.log(`invite ${await room.createInvite()}`)
} else {
  console.log(`joined ${room.url}`)
}

const writable = room.writable
  ? Promise.resolve()
  : new Promise<void>((resolve) => room.once('writable', () => resolve()))
void writable.then(() => console.log('writable'))

// Print each message once, as it reaches this peer's view. Until every writer's entries are in,
// Autobase may still reorder the tail of the view; `/history` prints the order as it stands.
const printed = new Set<string>()
let printing = Promise.resolve()
const printNew = () =>
  (printing = printing
    .then(async () => {
      const view = chatLog()
      const seen = new Map<string, number>()
      for (let i = 0; i < view.length; i++) {
        const m = await view.get(i)
        if (!m) continue
        // The same text from the same member twice is two messages: count repeats.
        const base = `${m.name}\u0000${m.text}`
        const n = (seen.get(base) ?? 0) + 1
        seen.set(base, n)
        const id = `${base}\u0000${n}`
        if (!printed.has(id)) {
          printed.add(id)
          console.log(`${m.name}: ${m.text}`)
        }
      }
    })
    .catch((err: Error) => console.error(`could not read the room: ${err.message}`)))
room.on('update', printNew)
printNew()

async function history(): Promise<void> {
  await printing
  const view = chatLog()
  const lines: string[] = []
  for (let i = 0; i < view.length; i++) {
    const m = await view.get(i)
    if (m) lines.push(`${i + 1}. ${m.name}: ${m.text}`)
  }
  console.log(`history ${lines.length}`)
  for (const line of lines) console.log(line)
}

let closing: Promise<void> | null = null
const leave = () =>
  (closing ??= (async () => {
    input.close()
    await sdk.close() // closes the room too
    console.log('bye')
  })())

const input = readline.createInterface({ input: process.stdin })
let queue = Promise.resolve()
input.on('line', (line) => {
  queue = queue.then(async () => {
    const text = line.trim()
    if (!text || closing) return
    if (text === '/quit') return void leave()
    if (text === '/history') return history()
    if (text === '/invite') return console.log(`invite ${await room.createInvite()}`)
    await writable
    await room.append({ name: args.name, text })
  })
})
input.on('close', () => void queue.then(leave))
process.once('SIGINT', () => void leave())
process.once('SIGTERM', () => void leave())
