import { READY_PROTOCOL } from '@dat-sdk/store'

/**
 * The name of the older control extension (before the `dat-sdk/ready@1` protomux channel, see
 * @dat-sdk/store's ready.ts) on which two `Core`s told each other which extension names they
 * handle. Still answered for one release so that older peers of ours keep working. A raw hypercore
 * ignores extension messages whose name it has not registered, so a peer that does not speak it is
 * unaffected. The message is @dat-sdk/store's `readyMessage`.
 */
export const READY_EXTENSION = READY_PROTOCOL
