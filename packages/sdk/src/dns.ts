import { getServers } from 'dns'
import net from 'net'
import { UDPClient, type DnsResolver, type Resource } from 'dns2'
import { DatSdkError, parseRef, toKey, toHex } from '@dat-sdk/store'

// Why dns2 and not node:dns: `Resolver.resolveTxt()` gives no TTL, and honouring the record's
// TTL is part of the contract. dns2 is pure JavaScript with no dependencies; its UDP client
// matches answers to queries by id and source, and drops datagrams that do not decode, so a
// forged or corrupt packet cannot pre-empt the real answer. We do not retry truncated answers
// over TCP: a dnslink record fits in one datagram, and a TCP socket to a server that never
// answers would outlive the lookup's timeout and keep the process alive.

/** Options for DNS lookups of `hyper://example.com` names. */
export interface DnsOptions {
  /** Name servers, `ip` or `ip:port` (`[v6]:port`); the OS resolver's servers by default. */
  servers?: string[]
  /** Caps, in seconds, how long an answer is cached (the record's own TTL applies below it). Default 3600. */
  ttl?: number
  /** How long to wait for an answer, in milliseconds. Default 5000. */
  timeout?: number
}

interface CacheEntry {
  key: Uint8Array
  expires: number
}

interface Server {
  host: string
  port: number
}

const DEFAULT_TTL = 3600
const DEFAULT_TIMEOUT = 5000
const DNSLINK = /^dnslink=\/hyper\/([^/\s]+)/i
const DATKEY = /^datkey=([^\s]+)$/i

/** Splits `1.2.3.4`, `1.2.3.4:53`, `::1` and `[::1]:53` into a host and a port. */
export function parseServer(spec: string): Server {
  const s = spec.trim()
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s)
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : 53 }
  if (net.isIP(s)) return { host: s, port: 53 }
  const hostPort = /^([^:]+):(\d+)$/.exec(s)
  if (hostPort && net.isIPv4(hostPort[1])) return { host: hostPort[1], port: Number(hostPort[2]) }
  throw new TypeError(
    `A DNS server is an IP address with an optional port, not ${JSON.stringify(spec)}`,
  )
}

/** The domain a `hyper://domain/path`, `dat://domain` or bare `domain` names, or null for a key. */
function domainOf(url: string): { domain: string } | { key: Uint8Array } {
  if (typeof url !== 'string')
    throw new DatSdkError('INVALID_KEY', 'resolveName() takes a URL string')
  const bare = /^[^:/]+\.[^:/]+$/.test(url) ? `hyper://${url}` : url
  const ref = parseRef(bare)
  if (ref && 'key' in ref) return { key: ref.key }
  if (ref && 'domain' in ref) return { domain: ref.domain }
  throw new DatSdkError('INVALID_KEY', `${JSON.stringify(url)} is not a hyper:// or dat:// URL`)
}

/** The key a TXT record names (`dnslink=/hyper/<key>` or `datkey=<key>`), or null. */
export function keyFromTxt(text: string, kind: 'dnslink' | 'datkey'): Uint8Array | null {
  const m = (kind === 'dnslink' ? DNSLINK : DATKEY).exec(text.trim())
  if (!m) return null
  try {
    return toKey(m[1])
  } catch {
    return null
  }
}

function txtStrings(answer: Resource): string | null {
  const d = answer.data
  if (typeof d === 'string') return d
  if (Array.isArray(d)) return d.join('')
  return null
}

/**
 * Resolves `hyper://domain` to a key through DNS TXT records, with a cache bounded by each
 * record's TTL and by `ttl`. Lookups of one domain in flight at once share one query.
 */
export class NameResolver {
  private readonly _servers: Server[] | null
  private readonly _ttl: number
  private readonly _timeout: number
  private readonly _cache = new Map<string, CacheEntry>()
  private readonly _inflight = new Map<string, Promise<Uint8Array>>()

  constructor(opts: DnsOptions = {}) {
    this._servers = opts.servers ? opts.servers.map(parseServer) : null
    this._ttl = Math.max(0, opts.ttl ?? DEFAULT_TTL)
    this._timeout = Math.max(1, opts.timeout ?? DEFAULT_TIMEOUT)
  }

  /** Forgets every cached answer. */
  clear(): void {
    this._cache.clear()
  }

  async resolve(url: string): Promise<Uint8Array> {
    const target = domainOf(url)
    if ('key' in target) return target.key
    const { domain } = target
    const cached = this._cache.get(domain)
    if (cached && cached.expires > Date.now()) return cached.key
    if (cached) this._cache.delete(domain)
    let pending = this._inflight.get(domain)
    if (!pending) {
      pending = this._lookup(domain).finally(() => this._inflight.delete(domain))
      this._inflight.set(domain, pending)
    }
    return pending
  }

  private async _lookup(domain: string): Promise<Uint8Array> {
    const [link, dat] = await Promise.allSettled([
      this._query(`_dnslink.${domain}`),
      this._query(domain),
    ])
    if (link.status === 'rejected' && dat.status === 'rejected') {
      throw new DatSdkError(
        'DNS_TIMEOUT',
        `No DNS server answered for ${domain} within ${this._timeout} ms`,
        {
          cause: link.reason,
        },
      )
    }
    const found =
      (link.status === 'fulfilled' && pick(link.value, 'dnslink')) ||
      (dat.status === 'fulfilled' && pick(dat.value, 'datkey')) ||
      null
    if (!found) {
      // One query timed out and the other found nothing: the answer may be behind the silent one.
      if (link.status === 'rejected' || dat.status === 'rejected') {
        const reason =
          link.status === 'rejected' ? link.reason : (dat as PromiseRejectedResult).reason
        throw new DatSdkError(
          'DNS_TIMEOUT',
          `The DNS lookup of ${domain} did not finish within ${this._timeout} ms`,
          {
            cause: reason,
          },
        )
      }
      throw new DatSdkError('NAME_NOT_FOUND', `No hyper key in the DNS TXT records of ${domain}`)
    }
    const seconds = Math.min(found.ttl, this._ttl)
    if (seconds > 0)
      this._cache.set(domain, { key: found.key, expires: Date.now() + seconds * 1000 })
    return found.key
  }

  private async _query(name: string): Promise<Resource[]> {
    const servers = this._servers ?? getServers().map(parseServer)
    if (servers.length === 0) throw new Error('No DNS server is configured')
    const attempts = servers.map((s) => {
      const resolve: DnsResolver = UDPClient({
        dns: s.host,
        port: s.port,
        socketType: net.isIPv6(s.host) ? 'udp6' : 'udp4',
        timeout: this._timeout,
        retryOverTCP: false,
      })
      return resolve(name, 'TXT')
    })
    // The first server that answers wins; a silent one does not hold the lookup up.
    const packet = await Promise.any(attempts)
    return packet.answers ?? []
  }
}

function pick(
  answers: Resource[],
  kind: 'dnslink' | 'datkey',
): { key: Uint8Array; ttl: number } | null {
  let ttl = Infinity
  let key: Uint8Array | null = null
  for (const a of answers) {
    if (a.type !== 16) continue // TXT
    const text = txtStrings(a)
    if (text === null) continue
    const k = keyFromTxt(text, kind)
    if (!k) continue
    if (key && toHex(key) !== toHex(k)) continue // keep the first key; the others do not shorten its life
    key = k
    ttl = Math.min(ttl, Number.isFinite(a.ttl) && a.ttl >= 0 ? a.ttl : 0)
  }
  return key ? { key, ttl } : null
}
