// The open of the exchange's channel: the handshake we send, and the check of the remote's (the
// same client, the same major version, and proof that it holds the root key on this connection).
import {
  CLIENT,
  HandshakeCodec,
  PROTOCOL_VERSION,
  capability,
  encode,
  parseMajor,
  verifyCapability,
  type Handshake,
} from './messages.js'

/** The errors that end an exchange with a peer. */
export type Fatal =
  'ERR_VERSION_MISMATCH' | 'ERR_CLIENT_MISMATCH' | 'KEY_MISMATCH' | 'TOO_MANY_FEEDS'

/** Why a remote's handshake ends the exchange: the error's code, message and extra fields. */
export interface Mismatch {
  code: Fatal
  message: string
  extra?: Record<string, string>
}

/** Our handshake on a connection whose Noise handshake hash is `handshakeHash`. */
export function ourHandshake(
  rootKey: Uint8Array,
  isInitiator: boolean,
  handshakeHash: Uint8Array,
  userData: Uint8Array | null,
): Uint8Array {
  return encode(HandshakeCodec, {
    client: CLIENT,
    version: PROTOCOL_VERSION,
    userData,
    capability: capability(rootKey, isInitiator, handshakeHash),
  })
}

/** Why the remote's handshake `hs` ends the exchange, or null when the exchange may go on. */
export function checkHandshake(
  hs: Handshake,
  rootKey: Uint8Array,
  remoteIsInitiator: boolean,
  handshakeHash: Uint8Array | null,
): Mismatch | null {
  if (hs.client !== CLIENT) {
    return {
      code: 'ERR_CLIENT_MISMATCH',
      message: `The remote runs ${JSON.stringify(hs.client)}, not ${CLIENT}`,
      extra: { usClient: CLIENT, themClient: hs.client },
    }
  }
  if (parseMajor(hs.version) !== parseMajor(PROTOCOL_VERSION)) {
    return {
      code: 'ERR_VERSION_MISMATCH',
      message: `The remote speaks multifeed protocol ${hs.version}, we speak ${PROTOCOL_VERSION}`,
      extra: { usVersion: PROTOCOL_VERSION, themVersion: hs.version },
    }
  }
  if (
    !handshakeHash ||
    !verifyCapability(rootKey, remoteIsInitiator, handshakeHash, hs.capability)
  ) {
    return {
      code: 'KEY_MISMATCH',
      message:
        'The remote could not prove it holds the root key (encryptionKey): no feeds were exchanged',
    }
  }
  return null
}
