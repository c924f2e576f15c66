import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import crypto from 'hypercore-crypto'
import { toHex, toZ32, isDatSdkError } from '@dat-sdk/store'
import { sleep } from '@dat-sdk/test-utils'
import { NameResolver, parseServer, keyFromTxt } from '../src/dns.js'
import { startDnsServer, startSilentServer, type TestDnsServer } from './helpers/dns-server.js'

const test = suite('resolveName (DNS TXT)')

let dns: TestDnsServer
test.before(async () => {
  dns = await startDnsServer()
})
test.after(async () => {
  await dns.close()
})
test.before.each(() => {
  dns.records.clear()
  dns.queries.length = 0
  dns.garbage = null
})

const randomKey = () => crypto.keyPair().publicKey

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p
  } catch (err) {
    assert.ok(isDatSdkError(err), `expected a DatSdkError, got ${String(err)}`)
    assert.is((err as { code: string }).code, code)
    return
  }
  assert.unreachable(`expected ${code}`)
}

test('a _dnslink record with /hyper/<hex> resolves, from hyper://, dat:// and a path', async () => {
  const key = randomKey()
  dns.records.set('_dnslink.example.com', [{ text: `dnslink=/hyper/${toHex(key)}` }])
  const r = new NameResolver({ servers: [dns.address] })
  assert.ok(b4a.equals(await r.resolve('hyper://example.com'), key))
  r.clear()
  assert.ok(b4a.equals(await r.resolve('dat://example.com/some/path'), key))
  r.clear()
  assert.ok(b4a.equals(await r.resolve('hyper://EXAMPLE.com./x'), key))
})

test('a dnslink in z-base-32 and split over character-strings resolves', async () => {
  const key = randomKey()
  const text = `dnslink=/hyper/${toZ32(key)}`
  dns.records.set('_dnslink.split.example', [{ text: [text.slice(0, 20), text.slice(20)] }])
  const r = new NameResolver({ servers: [dns.address] })
  assert.ok(b4a.equals(await r.resolve('hyper://split.example'), key))
})

test('datkey=<key> on the domain itself resolves', async () => {
  const key = randomKey()
  dns.records.set('old.example', [{ text: 'v=spf1 -all' }, { text: `datkey=${toHex(key)}` }])
  const r = new NameResolver({ servers: [dns.address] })
  assert.ok(b4a.equals(await r.resolve('dat://old.example'), key))
})

test('dnslink wins over datkey when both exist', async () => {
  const a = randomKey()
  const b = randomKey()
  dns.records.set('_dnslink.both.example', [{ text: `dnslink=/hyper/${toHex(a)}` }])
  dns.records.set('both.example', [{ text: `datkey=${toHex(b)}` }])
  const r = new NameResolver({ servers: [dns.address] })
  assert.ok(b4a.equals(await r.resolve('hyper://both.example'), a))
})

test('no record, NXDOMAIN, a non-hyper dnslink and a malformed key are NAME_NOT_FOUND', async () => {
  const r = new NameResolver({ servers: [dns.address] })
  await rejects(r.resolve('hyper://nothing.example'), 'NAME_NOT_FOUND')
  dns.records.set('_dnslink.ipfs.example', [
    { text: 'dnslink=/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG' },
  ])
  await rejects(r.resolve('hyper://ipfs.example'), 'NAME_NOT_FOUND')
  dns.records.set('_dnslink.bad.example', [{ text: `dnslink=/hyper/${'z'.repeat(64)}` }])
  dns.records.set('bad.example', [{ text: 'datkey=' + 'a'.repeat(63) }])
  await rejects(r.resolve('hyper://bad.example'), 'NAME_NOT_FOUND')
  dns.records.set('empty.example', [])
  await rejects(r.resolve('hyper://empty.example'), 'NAME_NOT_FOUND')
})

test('a key URL resolves to its key without asking DNS; a malformed URL is INVALID_KEY', async () => {
  const key = randomKey()
  const r = new NameResolver({ servers: [dns.address] })
  assert.ok(b4a.equals(await r.resolve(`hyper://${toZ32(key)}/`), key))
  assert.is(dns.queries.length, 0)
  await rejects(r.resolve('hyper://xyz'), 'INVALID_KEY')
  await rejects(r.resolve('not a url'), 'INVALID_KEY')
})

test('answers are cached for the record TTL', async () => {
  const key = randomKey()
  dns.records.set('_dnslink.ttl.example', [{ text: `dnslink=/hyper/${toHex(key)}`, ttl: 1 }])
  const r = new NameResolver({ servers: [dns.address] })
  await r.resolve('hyper://ttl.example')
  const asked = dns.queries.length
  await r.resolve('hyper://ttl.example')
  assert.is(dns.queries.length, asked, 'second lookup comes from the cache')
  await sleep(1100)
  await r.resolve('hyper://ttl.example')
  assert.ok(dns.queries.length > asked, 'asked again once the TTL ran out')
})

test('dns.ttl caps the cache time, and 0 disables the cache', async () => {
  const key = randomKey()
  dns.records.set('_dnslink.cap.example', [{ text: `dnslink=/hyper/${toHex(key)}`, ttl: 3600 }])
  const none = new NameResolver({ servers: [dns.address], ttl: 0 })
  await none.resolve('hyper://cap.example')
  const asked = dns.queries.length
  await none.resolve('hyper://cap.example')
  assert.ok(dns.queries.length > asked, 'ttl 0 asks every time')

  const capped = new NameResolver({ servers: [dns.address], ttl: 1 })
  await capped.resolve('hyper://cap.example')
  const before = dns.queries.length
  await capped.resolve('hyper://cap.example')
  assert.is(dns.queries.length, before)
  await sleep(1100)
  await capped.resolve('hyper://cap.example')
  assert.ok(dns.queries.length > before, 'the 1 s cap wins over the 3600 s record')
})

test('lookups of one domain at once share one query', async () => {
  const key = randomKey()
  dns.records.set('_dnslink.once.example', [{ text: `dnslink=/hyper/${toHex(key)}` }])
  const r = new NameResolver({ servers: [dns.address] })
  const keys = await Promise.all([1, 2, 3].map(() => r.resolve('hyper://once.example')))
  for (const k of keys) assert.ok(b4a.equals(k, key))
  assert.is(dns.queries.filter((q) => q === '_dnslink.once.example').length, 1)
})

test('a server that never answers is DNS_TIMEOUT; another server that answers wins', async () => {
  const silent = await startSilentServer()
  try {
    const lonely = new NameResolver({ servers: [silent.address], timeout: 300 })
    const started = Date.now()
    await rejects(lonely.resolve('hyper://slow.example'), 'DNS_TIMEOUT')
    assert.ok(Date.now() - started < 3000, 'gave up near the timeout')

    const key = randomKey()
    dns.records.set('_dnslink.mixed.example', [{ text: `dnslink=/hyper/${toHex(key)}` }])
    const mixed = new NameResolver({ servers: [silent.address, dns.address], timeout: 2000 })
    assert.ok(b4a.equals(await mixed.resolve('hyper://mixed.example'), key))
  } finally {
    await silent.close()
  }
})

test('garbage bytes from the server are dropped, never thrown: the lookup times out', async () => {
  dns.garbage = b4a.from('this is not a DNS message at all')
  const r = new NameResolver({ servers: [dns.address], timeout: 300 })
  await rejects(r.resolve('hyper://garbage.example'), 'DNS_TIMEOUT')
  dns.garbage = b4a.from([0, 1, 2])
  await rejects(r.resolve('hyper://garbage.example'), 'DNS_TIMEOUT')
})

test('TXT parsing accepts only well-formed records', () => {
  const key = randomKey()
  assert.ok(keyFromTxt(`dnslink=/hyper/${toHex(key)}/sub/path`, 'dnslink'))
  assert.ok(keyFromTxt(` DNSLINK=/hyper/${toZ32(key)} `, 'dnslink'))
  assert.is(keyFromTxt(`dnslink=/dat/${toHex(key)}`, 'dnslink'), null)
  assert.is(keyFromTxt(`dnslink=/hyper/`, 'dnslink'), null)
  assert.is(keyFromTxt(`datkey=${toHex(key)}`, 'dnslink'), null)
  assert.is(keyFromTxt(`datkey=${toHex(key)} trailing`, 'datkey'), null)
  assert.is(keyFromTxt('\u0000\uffff', 'datkey'), null)
})

test('server addresses: ip, ip:port, [v6]:port; anything else is refused', () => {
  assert.equal(parseServer('1.2.3.4'), { host: '1.2.3.4', port: 53 })
  assert.equal(parseServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 })
  assert.equal(parseServer('::1'), { host: '::1', port: 53 })
  assert.equal(parseServer('[::1]:5300'), { host: '::1', port: 5300 })
  assert.throws(() => parseServer('dns.example:53'))
  assert.throws(() => parseServer(''))
})

test.run()
