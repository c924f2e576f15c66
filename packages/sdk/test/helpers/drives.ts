import b4a from 'b4a'
import * as assert from 'uvu/assert'
import { eventually } from '@dat-sdk/test-utils'

/** A replica of a drive: one of ours, or a raw hyperdrive (hyper-sdk's). */
export interface DriveReplica {
  update(): Promise<unknown>
  exists(path: string): Promise<boolean>
  get(path: string): Promise<Uint8Array | null>
}

/** Waits until `copy` has `path` (updating it as it goes), then checks the file holds `text`. */
export async function fileArrives(copy: DriveReplica, path: string, text: string): Promise<void> {
  await eventually(
    async () => {
      await copy.update()
      return copy.exists(path)
    },
    { timeout: 20_000, message: `${path} to reach the copy` },
  )
  const data = await copy.get(path)
  assert.ok(data, `${path} has content`)
  assert.is(b4a.toString(data), text)
}
