// A real DNS server on 127.0.0.1 (dns2) with a table of TXT records the test controls, and a
// silent one that never answers. Used by the resolveName tests; nothing leaves loopback.
import dgram from 'node:dgram'
import dns2 from 'dns2'

const { Packet } = dns2

export interface TxtRecord {
  text: string | string[]
  ttl?: number
}

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, ready for `dns.servers`. */
  address: string
  /** Name -> TXT records; a name that is absent answers NXDOMAIN. */
  records: Map<string, TxtRecord[]>
  /** Every name asked for, in order. */
  queries: string[]
  /** Replace the answer to every query with these raw bytes (for bad-input tests). */
  garbage: Uint8Array | null
  close(): Promise<void>
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, TxtRecord[]>()
  const queries: string[] = []
  const state = { garbage: null as Uint8Array | null }
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const [question] = request.questions
      const name = question.name.toLowerCase()
      queries.push(name)
      if (state.garbage) {
        send(Buffer.from(state.garbage)).catch(() => {})
        return
      }
      const response = Packet.createResponseFromRequest(request)
      const found = records.get(name)
      if (!found) response.header.rcode = Packet.RCODE.NXDOMAIN
      for (const r of found ?? []) {
        response.answers.push(
          Packet.createResourceFromQuestion(question, {
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: r.ttl ?? 300,
            data: r.text,
          }),
        )
      }
      send(response).catch(() => {})
    },
  })
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } })
  const udp = addresses.udp as { port: number }
  return {
    address: `127.0.0.1:${udp.port}`,
    records,
    queries,
    get garbage() {
      return state.garbage
    },
    set garbage(bytes) {
      state.garbage = bytes
    },
    async close() {
      await server.close()
    },
  }
}

/** A UDP socket on 127.0.0.1 that takes queries and never answers. */
export async function startSilentServer(): Promise<{ address: string; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4')
  socket.on('message', () => {})
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    address: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
