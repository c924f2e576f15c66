import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { makeTmpDir, removeDir } from './tmp.js'

export interface ReadmeExampleOptions {
  /** The README to read (default `<packageDir>/README.md`); its imports still resolve from `packageDir`. */
  readme?: string
  /** Which ```js block of the README (default 0, the usage example). */
  index?: number
  /** Extra environment for the example (e.g. DAT_SDK_BOOTSTRAP for a loopback testnet). */
  env?: NodeJS.ProcessEnv
  /** Kill it after this many milliseconds (default 60,000). */
  timeout?: number
}

/** The ```js blocks of a README, in order. */
export function readmeExamples(readme: string): string[] {
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
}

/**
 * What an example says it prints, in source order: the comment after each `console.log(...)`
 * line. See `matchesExpected` for the placeholders a comment may hold.
 */
export function expectedOutput(code: string): string[] {
  return [...code.matchAll(/console\.log\(.*\)[,;]?[ \t]*\/\/ (.*)$/gm)].map((m) => m[1].trim())
}

/** HTML elements that have no closing tag: `<br>` and the like are never placeholders. */
const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
])

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Whether a printed line is what an expected comment says (both trimmed). The comment is literal
 * text except for placeholders, which stand for text that changes from run to run:
 *
 * - A placeholder is `<name>`, where name is a lowercase letter followed by lowercase letters,
 *   digits and hyphens: `<key>`, `<z-base-32>`, `<peer-id>`. It matches one run of non-space
 *   characters (so `<first> <second>` for two words).
 * - Tag-like text is literal, so printed HTML is checked: a closing tag (`</h1>`), an opening
 *   tag whose closing tag is in the same comment (`<h1>` in `<h1>hello</h1>`), a void element
 *   (`<br>`, `<img>`, `<hr>`...), and anything else in angle brackets that is not a bare name
 *   (`<a href="x">`, `<Foo>`, `<a key>`).
 */
export function matchesExpected(line: string, expected: string): boolean {
  const want = expected.trim()
  let pattern = ''
  let at = 0
  for (const m of want.matchAll(/<([a-z][a-z0-9-]*)>/g)) {
    const name = m[1]
    if (VOID_ELEMENTS.has(name) || want.includes(`</${name}>`)) continue
    pattern += escape(want.slice(at, m.index)) + '\\S+'
    at = m.index + m[0].length
  }
  pattern += escape(want.slice(at))
  return new RegExp(`^${pattern}$`).test(line.trim())
}

/**
 * Compares what an example printed with what its comments say, line for line: the n-th printed
 * line must match the n-th expected comment, and there must be as many of each. Returns why not,
 * or null when they agree.
 */
export function outputMismatch(printed: string[], expected: string[]): string | null {
  for (let i = 0; i < Math.max(printed.length, expected.length); i++) {
    if (i >= printed.length) return `it never printed line ${i + 1}, "${expected[i]}"`
    if (i >= expected.length) {
      return `it printed line ${i + 1}, "${printed[i]}", which no \`console.log(...) // comment\` expects`
    }
    if (!matchesExpected(printed[i], expected[i])) {
      return `its line ${i + 1} is "${printed[i]}", but the comment says "${expected[i]}"`
    }
  }
  return null
}

/**
 * Runs a README's example as a user would: as an ES module, in a fresh scratch directory (so
 * relative paths it writes land there, removed afterwards), with its bare imports resolved as
 * from the package folder. Throws when it fails, is killed, or when its standard output differs
 * from its `console.log(...) // expected` comments (see `outputMismatch`): every printed line
 * needs its comment, in order. Resolves with the lines it printed.
 */
export async function checkReadmeExample(
  packageDir: string,
  opts: ReadmeExampleOptions = {},
): Promise<string[]> {
  const readmePath = opts.readme ?? path.join(packageDir, 'README.md')
  const readme = fs.readFileSync(readmePath, 'utf-8')
  const code = readmeExamples(readme)[opts.index ?? 0]
  if (!code) throw new Error(`No \`\`\`js block #${opts.index ?? 0} in ${readmePath}`)
  const expected = expectedOutput(code)
  if (expected.length === 0) throw new Error('The example says nothing about its output')

  const require = createRequire(path.join(packageDir, 'package.json'))
  const resolved = code.replace(/(from\s+|import\s*\(\s*)'([^'./][^']*)'/g, (all, lead, spec) =>
    spec.startsWith('node:') ? all : `${lead}'${pathToFileURL(require.resolve(spec)).href}'`,
  )
  const scratch = makeTmpDir('readme')
  try {
    const child = spawn(process.execPath, ['--input-type=module', '-e', resolved], {
      cwd: scratch,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 60_000)
    const [status, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    )
    clearTimeout(killer)
    if (signal) throw new Error(`The example had to be killed (${signal}):\n${out}\n${err}`)
    if (status !== 0) throw new Error(`The example exited with ${status}:\n${err}`)
    const trimmed = out.trimEnd()
    const lines = trimmed === '' ? [] : trimmed.split('\n')
    const why = outputMismatch(lines, expected)
    if (why) {
      throw new Error(
        `The example's output is not what its comments say: ${why}. It printed:\n${out}`,
      )
    }
    return lines
  } finally {
    await removeDir(scratch)
  }
}
