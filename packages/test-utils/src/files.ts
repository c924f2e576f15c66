import fs from 'node:fs'
import path from 'node:path'

/**
 * The files under `dir` (recursively) whose bytes contain `marker`: what `grep -rl` lists. The
 * storage checks of encrypted data use it, beside a plain control that shows it can find one.
 */
export function filesHolding(dir: string, marker: string | Uint8Array): string[] {
  const found: string[] = []
  const needle = Buffer.from(marker)
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    if (fs.readFileSync(file).includes(needle)) found.push(file)
  }
  return found
}
