// Connection-level extension channels: one protomux channel per extension name on each
// connection, opened by whichever side registers (or sends on) the name first.
import b4a from 'b4a'
import c from 'compact-encoding'
import type { Channel, Message } from 'protomux'
import type { Connection } from './connections.js'

/** The protomux protocol of connection-level extensions; the channel id is the name in UTF-8. */
export const EXTENSION_PROTOCOL = 'dat-sdk/ext'

/** How many channels for names we have not registered a remote may open on one connection. */
const MAX_UNREGISTERED_CHANNELS = 64

export interface ChannelEntry {
  channel: Channel
  message: Message<Uint8Array>
}

export interface ExtensionChannelsOptions {
  /** True when some registration of `name` is live here. */
  registered(name: string): boolean
  /** The names registered now, opened on every new connection. */
  names(): Iterable<string>
  /** Bytes arrived on `name`'s channel of `conn`. */
  deliver(conn: Connection, name: string, bytes: Uint8Array): void
}

export class ExtensionChannels {
  private readonly _opts: ExtensionChannelsOptions

  constructor(opts: ExtensionChannelsOptions) {
    this._opts = opts
  }

  /** A new connection: accept the remote's channels and open ours. */
  attach(conn: Connection): void {
    conn.mux.pair({ protocol: EXTENSION_PROTOCOL }, (id) => this._onremoteopen(conn, id))
    for (const name of this._opts.names()) this.open(conn, name)
  }

  detach(conn: Connection): void {
    conn.mux.unpair({ protocol: EXTENSION_PROTOCOL })
  }

  /** `name`'s channel on `conn`, opened if it is not yet; null once the connection is gone. */
  open(conn: Connection, name: string): ChannelEntry | null {
    const current = conn.channels.get(name)
    if (current) return current
    if (conn.removed) return null
    const channel = conn.mux.createChannel({
      protocol: EXTENSION_PROTOCOL,
      id: b4a.from(name, 'utf-8'),
      unique: true,
      messages: [
        {
          encoding: c.raw,
          // Synchronous on purpose: a pending promise here would hold back the whole connection.
          onmessage: (bytes: Uint8Array) => {
            if (!conn.removed) this._opts.deliver(conn, name, bytes)
          },
        },
      ],
      onclose: () => {
        if (conn.channels.get(name)?.channel === channel) conn.channels.delete(name)
      },
    })
    if (!channel) return null
    const entry: ChannelEntry = { channel, message: channel.messages[0] as Message<Uint8Array> }
    conn.channels.set(name, entry)
    channel.open()
    return entry
  }

  /**
   * The remote opened an extension channel. We accept it whether or not we registered the name
   * (a message for a name we have not registered is dropped on arrival), so a registration made
   * later on either side finds the channel there and no message races a rejection. Names we have
   * not registered are capped per connection, so a remote cannot make us hold unbounded channels.
   */
  private _onremoteopen(conn: Connection, id: Uint8Array | null): void {
    if (!id || conn.removed) return
    const name = b4a.toString(id, 'utf-8')
    if (name.length === 0 || !b4a.equals(b4a.from(name, 'utf-8'), id)) return // not a name: reject
    if (!this._opts.registered(name)) {
      let unregistered = 0
      for (const open of conn.channels.keys()) if (!this._opts.registered(open)) unregistered++
      if (unregistered >= MAX_UNREGISTERED_CHANNELS) return // rejected
    }
    this.open(conn, name)
  }
}
