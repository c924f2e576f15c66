// Ignore patterns for `syncFolder()`: a small, gitignore-flavoured glob (documented in the README).

/** Drive paths (`/a/b.txt`) for which this returns true never enter the drive nor the folder. */
export type IgnoreFn = (key: string) => boolean

/** The file that names a folder's drive: never synced in either direction. */
export const DAT_FILE = '.dat'

/**
 * The temporary name an atomic download writes a file under before renaming it (localdrive's
 * `<name>.<n>.localdrive.tmp`). One a killed process left behind is never uploaded (it is a partial
 * file) and is removed by the next download into that folder.
 */
export const TEMP_FILE = /\.\d+\.localdrive\.tmp$/

/**
 * Compiles ignore patterns into one test on drive paths. Rules, as in `.gitignore`:
 * - a pattern without a `/` matches a file or folder name at any depth (`node_modules`, `*.tmp`);
 * - a pattern with a `/` is anchored at the folder's root (`build/out`, `/notes.txt`);
 * - `*` matches within one name, `?` one character of a name, `**` any number of folders;
 * - a matched folder takes everything inside it; a trailing `/` is allowed and ignored.
 * `.dat` and the temporary files of downloads (`*.localdrive.tmp`) are always ignored.
 */
export function compileIgnore(patterns: readonly string[] = []): IgnoreFn {
  if (!Array.isArray(patterns)) throw new TypeError('ignore must be an array of patterns')
  const named: RegExp[] = [exact(DAT_FILE), TEMP_FILE]
  const anchored: RegExp[] = []
  for (const raw of patterns) {
    if (typeof raw !== 'string') throw new TypeError('An ignore pattern must be a string')
    let p = raw.trim().replace(/\\/g, '/').replace(/\/+$/, '')
    if (p === '' || p === '/') continue
    if (p.includes('/')) {
      p = p.replace(/^\/+/, '')
      anchored.push(globToRegExp(p))
    } else {
      named.push(globToRegExp(p))
    }
  }
  return (key: string) => {
    const parts = key.split('/').filter((s) => s !== '')
    let rel = ''
    for (const name of parts) {
      rel = rel === '' ? name : rel + '/' + name
      for (const re of named) if (re.test(name)) return true
      for (const re of anchored) if (re.test(rel)) return true
    }
    return false
  }
}

function exact(name: string): RegExp {
  return new RegExp('^' + escape(name) + '$')
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&')
}

function globToRegExp(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/'
      // `**/` is "any folders, or none"; a lone `**` is "anything".
      out += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (ch === '*') {
      out += '[^/]*'
    } else if (ch === '?') {
      out += '[^/]'
    } else {
      out += escape(ch)
    }
  }
  return new RegExp('^' + out + '$')
}
