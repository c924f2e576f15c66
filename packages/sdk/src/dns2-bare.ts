/**
 * What `dns2` resolves to under Bare (see the `imports` map in package.json): dns2's UDP client
 * needs Node's `node:dgram`, which Bare does not have, so a DNS name (`hyper://example.com`) cannot
 * be looked up there. Every query rejects with `NOT_SUPPORTED`; the resolver reports it as the
 * `cause` of its `DNS_TIMEOUT`. Keys and `hyper://<key>` URLs never reach this.
 */
import { DatSdkError } from '@dat-sdk/store'

export function UDPClient(): (name: string, type: string) => Promise<never> {
  return async () => {
    throw new DatSdkError(
      'NOT_SUPPORTED',
      'DNS names are not resolved under Bare: dns2 needs node:dgram, which Bare does not have',
    )
  }
}
