// A remote that speaks the multifeed wire by hand, on a real corestore replication stream piped
// into a real Multifeed: for the behaviours two well-behaved Multifeeds never show (a request for
// a key never offered, malformed messages, other versions, clients and keys).
import type { Duplex } from 'node:stream'
import b4a from 'b4a'
import c from 'compact-encoding'
import type Protomux from 'protomux'
import type { Channel } from 'protomux'
import { Store } from '@dat-sdk/store'
import type { Teardown } from '@dat-sdk/test-utils'
import type { Multifeed } from '@dat-sdk/multifeed'
import {
  AnswerCodec,
  CLIENT,
  DEFAULT_ROOT_KEY,
  DoneCodec,
  HandshakeCodec,
  ManifestCodec,
  PROTOCOL,
  PROTOCOL_VERSION,
  RequestCodec,
  capability,
  channelId,
  decode,
  encode,
  type Answer,
  type Done,
  type Handshake,
  type Manifest,
  type Request,
} from '../src/messages.js'

export interface RawPeerOptions {
  /** The root key our channel id and capability come from (default: the public default key). */
  rootKey?: Uint8Array
  /** Prove this key in the handshake instead (a peer that knows the channel id, not the key). */
  capabilityKey?: Uint8Array
  client?: string
  version?: string
  userData?: Uint8Array | null
  /** Raw handshake bytes, instead of an encoded Handshake. */
  handshakeBytes?: Uint8Array
  /** Options for the Multifeed's replicate(). */
  live?: boolean
}

export interface RawPeer {
  store: Store
  /** Our end of the connection (a corestore replication stream). */
  stream: Duplex
  /** The Multifeed's end, as its replicate() returned it. */
  multiStream: Duplex
  channel: Channel
  received: {
    handshake: Handshake | null
    manifests: Manifest[]
    requests: Request[]
    answers: Answer[]
    dones: Done[]
  }
  /** Resolves when the Multifeed's handshake has arrived. */
  opened: Promise<void>
  sendManifest(m: Manifest | Uint8Array): void
  sendRequest(m: Request | Uint8Array): void
  sendAnswer(m: Answer | Uint8Array): void
  sendDone(m: Done | Uint8Array): void
}

export async function rawPeer(
  t: Teardown,
  multi: Multifeed<unknown>,
  opts: RawPeerOptions = {},
): Promise<RawPeer> {
  const rootKey = opts.rootKey ?? DEFAULT_ROOT_KEY
  const store = t.add(new Store(t.tmpDir('raw-peer')))
  await store.ready()
  const multiStream = multi.replicate(true, { live: opts.live })
  const stream = store.replicate(false)
  multiStream.on('error', () => {})
  stream.on('error', () => {})
  multiStream.pipe(stream).pipe(multiStream)
  t.add(() => {
    multiStream.destroy()
    stream.destroy()
  })

  const noise = (stream as Duplex & { noiseStream: Duplex & NoiseBits }).noiseStream
  const mux = noise.userData as Protomux
  const received: RawPeer['received'] = {
    handshake: null,
    manifests: [],
    requests: [],
    answers: [],
    dones: [],
  }
  let markOpen: () => void = () => {}
  const opened = new Promise<void>((resolve) => (markOpen = resolve))
  let created: () => void = () => {}
  const channelCreated = new Promise<void>((resolve) => (created = resolve))
  const id = channelId(rootKey)
  mux.pair({ protocol: PROTOCOL, id }, () => channelCreated)

  await noise.opened
  const channel = mux.createChannel({
    protocol: PROTOCOL,
    id,
    handshake: c.raw,
    messages: [
      {
        encoding: c.raw,
        onmessage: (m: unknown) =>
          void received.manifests.push(decode(ManifestCodec, m as Uint8Array)),
      },
      {
        encoding: c.raw,
        onmessage: (m: unknown) =>
          void received.requests.push(decode(RequestCodec, m as Uint8Array)),
      },
      {
        encoding: c.raw,
        onmessage: (m: unknown) => void received.answers.push(decode(AnswerCodec, m as Uint8Array)),
      },
      {
        encoding: c.raw,
        onmessage: (m: unknown) => void received.dones.push(decode(DoneCodec, m as Uint8Array)),
      },
    ],
    onopen: (hs: unknown) => {
      received.handshake = decode(HandshakeCodec, hs as Uint8Array)
      markOpen()
    },
  })
  if (!channel) throw new Error('could not create the raw channel')
  channel.open(
    opts.handshakeBytes ??
      encode(HandshakeCodec, {
        client: opts.client ?? CLIENT,
        version: opts.version ?? PROTOCOL_VERSION,
        userData: opts.userData ?? null,
        capability: capability(
          opts.capabilityKey ?? rootKey,
          noise.isInitiator,
          noise.handshakeHash!,
        ),
      }),
  )
  created()

  const sender =
    <M>(index: number, codec: Parameters<typeof encode<M>>[0]) =>
    (m: M | Uint8Array) =>
      channel.messages[index].send(m instanceof Uint8Array ? m : encode(codec, m))
  return {
    store,
    stream,
    multiStream,
    channel,
    received,
    opened,
    sendManifest: sender<Manifest>(0, ManifestCodec),
    sendRequest: sender<Request>(1, RequestCodec),
    sendAnswer: sender<Answer>(2, AnswerCodec),
    sendDone: sender<Done>(3, DoneCodec),
  }
}

interface NoiseBits {
  isInitiator: boolean
  handshakeHash: Uint8Array | null
  opened: Promise<boolean>
  userData: unknown
}

export const hex = (key: Uint8Array | null): string => b4a.toString(key!, 'hex')
