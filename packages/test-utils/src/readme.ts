import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { makeTmpDir, removeDir } from './tmp.js'

export interface ReadmeExampleOptions {
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
 * What an example says it prints: the comment after each `console.log(...)` line. `<anything>`
 * in a comment stands for text that changes from run to run (a key, a URL).
 */
export function expectedOutput(code: string): string[] {
  return [...code.matchAll(/console\.log\(.*\)[,;]?[ \t]*\/\/ (.*)$/gm)].map((m) => m[1].trim())
}

function matches(line: string, expected: string): boolean {
  const pattern = expected
    .split(/<[^>]+>/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+')
  return new RegExp(`^${pattern}$`).test(line.trim())
}

/**
 * Runs a README's example as a user would: as an ES module, in a fresh scratch directory (so
 * relative paths it writes land there, removed afterwards), with its bare imports resolved as
 * from the package folder. Throws when it fails, is killed, or prints other than its
 * `console.log(...) // expected` comments say (lines without such a comment are not checked).
 */
export async function checkReadmeExample(
  packageDir: string,
  opts: ReadmeExampleOptions = {},
): Promise<void> {
  const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf-8')
  const code = readmeExamples(readme)[opts.index ?? 0]
  if (!code) throw new Error(`No \`\`\`js block #${opts.index ?? 0} in ${packageDir}/README.md`)
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
    const lines = out.trimEnd().split('\n')
    let at = 0
    for (const want of expected) {
      while (at < lines.length && !matches(lines[at], want)) at++
      if (at === lines.length) {
        throw new Error(`The example never printed "${want}" (in order). It printed:\n${out}`)
      }
      at++
    }
  } finally {
    await removeDir(scratch)
  }
}
