// One pairing handler per connection for our protocol, whatever the channel id: it holds a remote
// open until the matching session has created its channel, and tells replicate() sessions when
// the remote's multifeed has another root key (a channel id that matches no session here).
import b4a from 'b4a'
import type Protomux from 'protomux'
import { PROTOCOL } from './messages.js'
import type { Session } from './session.js'

export const pairings = {
  byMux: new WeakMap<Protomux, Set<Session>>(),

  add(session: Session): void {
    let sessions = this.byMux.get(session.mux)
    if (!sessions) {
      const set = new Set<Session>()
      sessions = set
      this.byMux.set(session.mux, set)
      session.mux.pair({ protocol: PROTOCOL, id: null }, (id) => onpair(set, id))
    }
    sessions.add(session)
  },

  /** The open join-mode session of `channelId` on `mux`, to share. */
  find(mux: Protomux, channelId: Uint8Array): Session | null {
    for (const s of this.byMux.get(mux) ?? []) {
      if (s.mode === 'join' && !s.closed && b4a.equals(s.channelId, channelId)) return s
    }
    return null
  },

  delete(session: Session): void {
    const sessions = this.byMux.get(session.mux)
    if (!sessions || !sessions.delete(session) || sessions.size > 0) return
    this.byMux.delete(session.mux)
    session.mux.unpair({ protocol: PROTOCOL, id: null })
  },
}

function onpair(sessions: Set<Session>, id: Uint8Array | null): Promise<void> | void {
  const all = [...sessions]
  const match = all.find((s) => id !== null && b4a.equals(s.channelId, id))
  if (match) return match.channelCreated()
  for (const s of all) s.foreignChannel()
}
