// A DNS server on 127.0.0.1 that answers every query NXDOMAIN: a domain that resolves to nothing.
import dgram from 'node:dgram'

export async function startNxdomainServer(): Promise<{ address: string; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4')
  socket.on('message', (query, rinfo) => {
    if (query.length < 12) return
    const reply = Buffer.from(query)
    reply[2] = 0x81 | (query[2] & 0x01) // QR, opcode 0, RD copied
    reply[3] = 0x83 // RA, RCODE 3: NXDOMAIN
    reply.writeUInt16BE(0, 6) // no answers, authority or additional records
    reply.writeUInt16BE(0, 8)
    reply.writeUInt16BE(0, 10)
    socket.send(reply, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    address: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
