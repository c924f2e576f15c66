// The swarm a networker makes for itself asks for larger UDP receive buffers than the kernel's
// default (RECV_BUFFER_SIZE in bootstrap.ts says why); a swarm handed in is left as it was.
import fs from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHyperswarm, RECV_BUFFER_SIZE } from '@dat-sdk/networker'
import { createTestnet, eventually, teardown } from '@dat-sdk/test-utils'

/** What the kernel lets a process ask for (Linux); null where it cannot be read. */
function rmemMax(): number | null {
  try {
    return Number(fs.readFileSync('/proc/sys/net/core/rmem_max', 'utf8'))
  } catch {
    return null
  }
}

test('createHyperswarm raises its DHT sockets\u2019 receive buffers; a bare HyperDHT keeps the default', async () => {
  const max = rmemMax()
  const t = teardown()
  const testnet = t.add(await createTestnet(3))
  try {
    // A plain node of the same testnet: the kernel's default, what the rest of the stack runs with.
    const plain = testnet.createNode()
    await plain.ready()
    const before = plain.io.serverSocket!.getRecvBufferSize()
    if (max === null || max <= before) {
      console.log(
        `  skipped: the kernel allows no receive buffer above the default ${before} B (net.core.rmem_max ${max})`,
      )
      return
    }
    const swarm = t.add(createHyperswarm({ bootstrap: testnet.bootstrap }))
    await swarm.dht.ready()
    // Linux reports twice the size set; the kernel caps the request at rmem_max.
    const expected = Math.min(RECV_BUFFER_SIZE, max)
    for (const socket of [swarm.dht.io.serverSocket!, swarm.dht.io.clientSocket!]) {
      await eventually(() => socket.getRecvBufferSize() >= expected, {
        timeout: 5_000,
        message: `receive buffer ${socket.getRecvBufferSize()} B, not ${expected}`,
      })
    }
    assert.is(plain.io.serverSocket!.getRecvBufferSize(), before, 'the plain node was left alone')
  } finally {
    await t.run()
  }
})

test.run()
