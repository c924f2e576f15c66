import fs from 'fs'
import os from 'os'
import path from 'path'
import process from 'process'

/**
 * Where a store keeps its data when no directory is given: `$DAT_SDK_STORAGE`, else the
 * platform's data directory (`$XDG_DATA_HOME/dat-sdk` or `~/.local/share/dat-sdk` on Linux,
 * `~/Library/Application Support/dat-sdk` on macOS, `%LOCALAPPDATA%\dat-sdk` on Windows).
 */
export function defaultStorageDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DAT_SDK_STORAGE) return path.resolve(env.DAT_SDK_STORAGE)
  const home = os.homedir()
  if (process.platform === 'darwin')
    return path.join(home, 'Library', 'Application Support', 'dat-sdk')
  if (process.platform === 'win32') {
    return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'dat-sdk')
  }
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'dat-sdk')
}

/** A fresh temporary directory for `Store.temp()`; the store removes it on close. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dat-sdk-store-'))
}

/** RocksDB (under hypercore-storage) reports a held lock in these words. */
export function isLockError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err)
  return /could not be locked|lock hold|LOCK:|Resource temporarily unavailable|IO error: lock/i.test(
    message,
  )
}
