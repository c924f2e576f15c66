// Helpers for this package's tests only (the shared ones live in @dat-sdk/test-utils).
import fs from 'node:fs'
import path from 'node:path'
import { Store } from '@dat-sdk/store'
import type { Teardown } from '@dat-sdk/test-utils'

/** Resolves with the error's `code` (or says there was none). */

/** Every file under `dir` (not `.dat`) as `relative/path -> hex of its bytes`. */
export function snapshotFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? rel + '/' + d.name : d.name
      if (child === '.dat') continue
      if (d.isDirectory()) walk(child)
      else if (d.isFile()) out[child] = fs.readFileSync(path.join(dir, child)).toString('hex')
    }
  }
  if (fs.existsSync(dir)) walk('')
  return out
}

/** Writes `files` (relative path -> contents) under `dir`, making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, data] of Object.entries(files)) {
    const file = path.join(dir, rel)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, data)
  }
}

/** A store in a directory of the teardown (so it can be reopened), closed by the teardown. */
export function storeIn(t: Teardown, dir: string): Store {
  return t.add(new Store(dir))
}

/** Bytes with every value 0..255, repeated to `size`. */
export function binary(size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}
