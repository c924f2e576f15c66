import { toZ32 } from '@dat-sdk/sdk'
import { HttpError } from './errors.js'

/**
 * What a request's `Host` header names:
 * - `path`: a name the path form `/hyper/<drive>/…` is served on (`127.0.0.1`, `[::1]`, the
 *   address the gateway listens on, `opts.hosts`);
 * - `localhost`: `localhost:<port>`, where the path form redirects to the subdomain form;
 * - `drive`: `<label>.localhost:<port>`, one drive's own origin: `key` (z-base-32) or `domain`.
 */
export type HostTarget =
  | { kind: 'path' }
  | { kind: 'localhost' }
  | { kind: 'drive'; key: string; domain?: undefined }
  | { kind: 'drive'; domain: string; key?: undefined }

/** What `parseHost` checks a `Host` against. */
export interface HostRules {
  /** The port the gateway listens on. */
  port: number
  /** Host names (lowercase, IPv6 in brackets) served at `port`: `127.0.0.1`, `[::1]`, the listen address. */
  names: ReadonlySet<string>
  /** `opts.hosts`: `name` (any port, or none: behind a proxy) or `name:port`, lowercase. */
  extra: readonly string[]
  /** Whether `<label>.localhost` serves drives (`opts.subdomains`, default true). */
  subdomains: boolean
  /** Listening on every address (`0.0.0.0`, `::`): any IP literal at `port` is ours too. */
  anyAddress: boolean
}

const Z32_KEY = /^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/**
 * Reads a `Host` header against the names the gateway serves. A `Host` that is not one of them
 * (DNS rebinding: a site's own name pointed at 127.0.0.1) is `421 MISDIRECTED`; a malformed one, or
 * a subdomain that is neither a key nor a domain, is `400`. Never throws anything but `HttpError`.
 */
export function parseHost(header: string | null | undefined, rules: HostRules): HostTarget {
  if (typeof header !== 'string' || header === '') {
    throw new HttpError(400, 'BAD_REQUEST', 'The request has no Host header')
  }
  const host = header.trim().toLowerCase()
  let name: string
  let port: string | null = null
  if (host.startsWith('[')) {
    const close = host.indexOf(']')
    if (close === -1) throw badHost()
    name = host.slice(0, close + 1)
    const rest = host.slice(close + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) throw badHost()
      port = rest.slice(1)
    }
  } else {
    const colon = host.lastIndexOf(':')
    name = colon === -1 ? host : host.slice(0, colon)
    if (colon !== -1) port = host.slice(colon + 1)
  }
  if (port !== null && !/^(?:0|[1-9]\d{0,4})$/.test(port)) throw badHost()
  if (name === '' || !/^[a-z0-9.\-[\]:_]+$/.test(name)) throw badHost()
  const portNumber = port === null ? 80 : Number(port)
  const atOurPort = portNumber === rules.port

  for (const entry of rules.extra) {
    if (entry === name || entry === `${name}:${port ?? 80}`) return { kind: 'path' }
  }
  if (atOurPort) {
    if (rules.names.has(name)) return { kind: 'path' }
    if (rules.anyAddress && (IPV4.test(name) || /^\[[0-9a-f:.]+\]$/.test(name))) {
      return { kind: 'path' }
    }
    if (name === 'localhost') return { kind: 'localhost' }
    if (rules.subdomains && name.endsWith('.localhost')) {
      return driveOfLabel(name.slice(0, -'.localhost'.length))
    }
  }
  throw new HttpError(
    421,
    'MISDIRECTED',
    `This gateway does not serve the host ${JSON.stringify(header.slice(0, 300))}`,
  )
}

/** `<label>` of `<label>.localhost`: a z-base-32 key, or a domain with `.` as `-` and `-` as `--`. */
function driveOfLabel(label: string): HostTarget {
  if (!DNS_LABEL.test(label)) {
    throw new HttpError(
      400,
      'INVALID_KEY',
      'A drive subdomain is one DNS label: <z-base-32 key>.localhost or <domain with . as ->.localhost',
    )
  }
  if (Z32_KEY.test(label)) return { kind: 'drive', key: label }
  let domain = ''
  for (let i = 0; i < label.length; i++) {
    if (label[i] !== '-') domain += label[i]
    else if (label[i + 1] === '-') {
      domain += '-'
      i++
    } else domain += '.'
  }
  const labels = domain.split('.')
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) {
    throw new HttpError(
      400,
      'INVALID_KEY',
      `${label}.localhost names neither a drive key nor a domain (dots are written -, dashes --)`,
    )
  }
  return { kind: 'drive', domain }
}

function badHost(): HttpError {
  return new HttpError(400, 'BAD_REQUEST', 'The Host header is malformed')
}

/**
 * The subdomain label of a drive as the path form names it (a key in any spelling, or a domain),
 * or null when it has none (not a key, not a domain, or longer than a DNS label).
 */
export function labelOf(drive: string): string | null {
  if (/^[0-9a-f]{64}$/i.test(drive) || Z32_KEY.test(drive)) {
    try {
      return toZ32(drive)
    } catch {
      return null
    }
  }
  const domain = drive.toLowerCase()
  const labels = domain.split('.')
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) return null
  const label = domain.replace(/-/g, '--').replace(/\./g, '-')
  return DNS_LABEL.test(label) ? label : null
}

/** The drive name a `drive` host target stands for, as `hyper://<name>/` takes it. */
export function driveName(target: Extract<HostTarget, { kind: 'drive' }>): string {
  return target.key ?? target.domain!
}
