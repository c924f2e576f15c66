// One pairing handler per connection for our protocol, whatever the channel id: it holds a remote
// open until the matching session has created its channel, and tells replicate() sessions when
// the remote's multifeed has another root key (a channel id that matches no session here).
import b4a from 'b4a'
import type Protomux from 'protomux'
import { PROTOCOL } from './messages.js'
import type { Session } from './session.js'

const SESSIONS = Symbol('dat-sdk/multifeed sessions')

/** A connection's multifeed sessions hang off its mux: they live exactly as long as it does. */
type SessionMux = Protomux & { [SESSIONS]?: Set<Session> }

export const pairings = {
  add(session: Session): void {
    const mux: SessionMux = session.mux
    let sessions = mux[SESSIONS]
    if (!sessions) {
      const set = new Set<Session>()
      sessions = set
      mux[SESSIONS] = set
      session.mux.pair({ protocol: PROTOCOL, id: null }, (id) => onpair(set, id))
    }
    sessions.add(session)
  },

  /** The open join-mode session of `channelId` on `mux`, to share. */
  find(mux: SessionMux, channelId: Uint8Array): Session | null {
    for (const s of mux[SESSIONS] ?? []) {
      if (s.mode === 'join' && !s.closed && b4a.equals(s.channelId, channelId)) return s
    }
    return null
  },

  delete(session: Session): void {
    const mux: SessionMux = session.mux
    const sessions = mux[SESSIONS]
    if (!sessions || !sessions.delete(session) || sessions.size > 0) return
    delete mux[SESSIONS]
    session.mux.unpair({ protocol: PROTOCOL, id: null })
  },
}

function onpair(sessions: Set<Session>, id: Uint8Array | null): Promise<void> | void {
  const all = [...sessions]
  const match = all.find((s) => id !== null && b4a.equals(s.channelId, id))
  if (match) return match.channelCreated()
  for (const s of all) s.foreignChannel()
}
