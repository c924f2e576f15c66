import fs from 'node:fs'
import path from 'node:path'

/** How many files under `dir` contain `needle` (what `grep -rl` would list). */
export async function grepDir(dir: string, needle: Uint8Array): Promise<number> {
  let found = 0
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.promises.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name)
      if (entry.isDirectory()) await walk(p)
      else if (entry.isFile() && (await fs.promises.readFile(p)).includes(Buffer.from(needle)))
        found++
    }
  }
  await walk(dir)
  return found
}
