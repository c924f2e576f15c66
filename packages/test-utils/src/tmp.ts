import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Temporary directories start with this; the test runner fails a run that leaves one behind. */
export const TMP_PREFIX = 'dat-sdk-test-'

/** A fresh temporary directory. Remove it with the teardown it is registered on. */
export function makeTmpDir(label = ''): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX + (label ? label + '-' : '')))
}

export async function removeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true })
}
