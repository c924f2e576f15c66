// Telling an Autobase's key from a plain core's by its first block: the key of an Autobase 7 is
// its first writer's core, whose blocks are Autobase oplog messages.
import c from 'compact-encoding'
import messages from 'autobase/lib/messages.js'

/** True when `block` (block 0 of a core, decrypted) decodes whole as an Autobase 7 oplog message. */
export function isBaseBlock(block: Uint8Array): boolean {
  try {
    const state = c.state(0, block.byteLength, block)
    messages.OplogMessage.decode(state)
    return state.start === state.end
  } catch {
    return false
  }
}
