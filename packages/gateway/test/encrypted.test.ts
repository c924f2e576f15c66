import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import { createSDK, toHex, toZ32, type Drive, type SDK } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createGateway, type Gateway } from '../src/index.js'
import { errorCode, fetchPath } from './helpers/fetch.js'

const test = suite('gateway: encrypted drives, with their key and without')

const SECRET = 'only readers with the key see this'
let testnet: LoopbackTestnet
let writer: SDK
let encrypted: Drive
let open: Drive
const encryptionKey = crypto.randomBytes(32)
const sdks: SDK[] = []
const gateways: Gateway[] = []

/** A reader SDK of its own (an SDK holds one instance per drive) with a gateway on it. */
async function gatewayOn(opts: Parameters<typeof createGateway>[1] = {}): Promise<Gateway> {
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  sdks.push(sdk)
  const gateway = await createGateway(sdk, opts)
  gateways.push(gateway)
  return gateway
}

function get(gateway: Gateway, drive: Drive, path: string): Promise<Response> {
  return fetch(new URL(`hyper/${toZ32(drive.key!)}${path}`, gateway.url))
}

test.before(async () => {
  testnet = await createTestnet(3)
  writer = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  encrypted = writer.Hyperdrive(undefined, { encryptionKey })
  await encrypted.put('/secret.txt', SECRET)
  open = writer.Hyperdrive()
  await open.put('/public.txt', 'for everyone')
  await writer.flush(encrypted)
  await writer.flush(open)
})
test.after(async () => {
  for (const g of gateways) await g.close()
  for (const s of sdks) await s.close()
  await writer.close()
  await testnet.destroy()
})

test('a gateway given the key serves the file of an encrypted drive of another peer, with no CORS headers', async () => {
  const gateway = await gatewayOn({ encryptionKeys: { [toZ32(encrypted.key!)]: encryptionKey } })
  const res = await get(gateway, encrypted, '/secret.txt')
  assert.is(res.status, 200)
  assert.is(await res.text(), SECRET)
  assert.is(res.headers.get('access-control-allow-origin'), null)
  assert.is(res.headers.get('access-control-expose-headers'), null)
  const missing = await get(gateway, encrypted, '/none.txt')
  assert.is(missing.status, 404)
  assert.is(missing.headers.get('access-control-allow-origin'), null)
  await missing.arrayBuffer()
  // A public drive next to it keeps its CORS headers.
  const pub = await get(gateway, open, '/public.txt')
  assert.is(await pub.text(), 'for everyone')
  assert.is(pub.headers.get('access-control-allow-origin'), '*')
})

test('without the key: 403 DECRYPTION_FAILED as JSON, never the ciphertext, and the gateway goes on', async () => {
  const gateway = await gatewayOn()
  const res = await get(gateway, encrypted, '/secret.txt')
  assert.is(res.status, 403)
  assert.match(res.headers.get('content-type') ?? '', 'application/json')
  assert.is(res.headers.get('access-control-allow-origin'), null)
  assert.is(await errorCode(res), 'DECRYPTION_FAILED')
  const again = await get(gateway, encrypted, '/')
  assert.is(again.status, 403)
  assert.is(await errorCode(again), 'DECRYPTION_FAILED')
  // The positive sentinel: the same gateway still serves a public drive.
  const pub = await get(gateway, open, '/public.txt')
  assert.is(pub.status, 200)
  assert.is(await pub.text(), 'for everyone')
})

test('with a wrong key: DECRYPTION_FAILED, and the key given never shows in the answer', async () => {
  const wrong = crypto.randomBytes(32)
  const gateway = await gatewayOn({ encryptionKeys: new Map([[encrypted.key!, wrong]]) })
  const res = await get(gateway, encrypted, '/secret.txt')
  assert.is(res.status, 403)
  const body = await res.text()
  assert.is((JSON.parse(body) as { code: string }).code, 'DECRYPTION_FAILED')
  assert.not.match(body, toHex(wrong))
  assert.not.match(body, SECRET)
})

test('hyperFetch takes a function of the drive key', async () => {
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  sdks.push(sdk)
  const asked: string[] = []
  const encryptionKeys = (drive: Uint8Array) => {
    asked.push(toHex(drive))
    return toHex(drive) === toHex(encrypted.key!) ? toZ32(encryptionKey) : null
  }
  const res = await fetchPath(
    sdk,
    `/hyper/${toHex(encrypted.key!)}/secret.txt`,
    {},
    {
      encryptionKeys,
    },
  )
  assert.is(res.status, 200)
  assert.is(await res.text(), SECRET)
  const pub = await fetchPath(sdk, `/hyper/${toZ32(open.key!)}/public.txt`, {}, { encryptionKeys })
  assert.is(await pub.text(), 'for everyone')
  assert.equal(asked, [toHex(encrypted.key!), toHex(open.key!)])
})

test('a malformed key is a TypeError at once, and the error does not repeat it', async () => {
  const sdk = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
  sdks.push(sdk)
  const bad = 'ab'.repeat(20)
  for (const encryptionKeys of [{ [toHex(encrypted.key!)]: bad }, { 'not-a-key': encryptionKey }]) {
    try {
      await createGateway(sdk, { encryptionKeys })
      assert.unreachable('createGateway took a malformed key')
    } catch (err) {
      assert.instance(err, TypeError)
      assert.not.match((err as Error).message, bad)
    }
  }
})

test.run()
