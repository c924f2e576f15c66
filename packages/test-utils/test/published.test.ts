// The published packages as a user gets them: packed with `pnpm pack`, checked by publint and
// @arethetypeswrong/cli, installed with npm into an empty project, and compiled there with
// `skipLibCheck: false` and TypeScript's default `types` (none, since TypeScript 6). The workspace
// compiles with `skipLibCheck: true` and `types: ["node"]`, which would hide a declaration that
// only works inside it.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { makeTmpDir, removeDir } from '@dat-sdk/test-utils'

const run = promisify(execFile)
const test = suite('published packages: packed, linted, installed and compiled as a consumer')

const root = path.resolve(import.meta.dirname, '../../..')
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name)
const TYPESCRIPT = '6.0.3'
// The Bare imports maps (`"imports": { "fs": { "bare": "bare-fs", "default": "fs" } }`), as the
// Holepunch modules write them: Node leaves keys without `#` alone and uses its own built-ins,
// Bare maps them. publint knows only Node's rule, so this one message is expected.
const BARE_IMPORTS = 'IMPORTS_KEY_INVALID'

interface Published {
  name: string
  dir: string
  tarball: string
}

let tmp = ''
let packages: Published[] = []
// A failure in the hook would only say "0 passed": keep it and let each test say what it was.
let packing: string | null = null

test.before(async () => {
  tmp = makeTmpDir('published')
  try {
    await packAll()
  } catch (err) {
    const out = err as { stderr?: string; stdout?: string }
    packing = `${String(err)}\n${out.stderr ?? ''}${out.stdout ?? ''}`
  }
})

async function packAll(): Promise<void> {
  const dirs = fs.readdirSync(path.join(root, 'packages')).sort()
  for (const d of dirs) {
    const dir = path.join(root, 'packages', d)
    const pj = path.join(dir, 'package.json')
    if (!fs.existsSync(pj)) continue
    const pkg = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name: string; private?: boolean }
    if (pkg.private) continue
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', tmp], { cwd: dir })
    const tarball = stdout.trim().split('\n').pop()!.trim()
    packages.push({ name: pkg.name, dir, tarball: path.resolve(dir, tarball) })
  }
}

test.after(async () => {
  await removeDir(tmp)
  packages = []
})

test('publint finds nothing to fix in any package', async () => {
  assert.is(packing, null, 'every package packs')
  const { publint } = await import('publint')
  const { formatMessage } = await import('publint/utils')
  const problems: string[] = []
  for (const p of packages) {
    const { messages, pkg } = await publint({ pkgDir: p.dir, level: 'suggestion', pack: 'pnpm' })
    for (const m of messages) {
      if (m.code === BARE_IMPORTS) continue
      problems.push(`${p.name}: ${formatMessage(m, pkg) ?? m.code}`)
    }
  }
  assert.equal(problems, [])
})

test('are-the-types-wrong passes every packed package (ESM only, as the packages are)', async () => {
  assert.is(packing, null, 'every package packs')
  const failures: string[] = []
  for (const p of packages) {
    try {
      await run(bin('attw'), [p.tarball, '--profile', 'esm-only', '--format', 'ascii'])
    } catch (err) {
      const out = (err as { stdout?: string }).stdout ?? String(err)
      failures.push(`${p.name}:\n${out}`)
    }
  }
  assert.equal(failures.join('\n'), '')
})

test('a fresh npm project with every package type-checks with skipLibCheck: false', async () => {
  assert.is(packing, null, 'every package packs')
  const project = path.join(tmp, 'consumer')
  fs.mkdirSync(project)
  const dependencies: Record<string, string> = { typescript: TYPESCRIPT }
  for (const p of packages) dependencies[p.name] = `file:${p.tarball}`
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies,
      // The workspace's pin (see the root package.json): the registry lacks what 11.39 needs.
      overrides: { hypercore: '11.37.1' },
    }),
  )
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      include: ['index.ts'],
    }),
  )
  const imports = packages.map((p, i) => `import * as pkg${i} from '${p.name}'`).join('\n')
  const used = packages.map((_, i) => `pkg${i}`).join(', ')
  fs.writeFileSync(path.join(project, 'index.ts'), `${imports}\n${CONSUMER}\nvoid [${used}]\n`)
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    timeout: 240_000,
  })
  let output = ''
  try {
    await run(path.join(project, 'node_modules', '.bin', 'tsc'), ['-p', project], {
      cwd: project,
    })
  } catch (err) {
    output = (err as { stdout?: string }).stdout ?? String(err)
  }
  assert.equal(output, '', 'tsc reports no error')
})

// What a consumer writes: each class constructed and listened to by its typed events, so a
// declaration that only compiles inside the workspace (or a class that does not fit the base it
// extends) fails here.
const CONSUMER = `
import { Store, type StoreEvents } from '@dat-sdk/store'
import { Core, type Peer } from '@dat-sdk/core-wrapper'
import { Drive } from '@dat-sdk/drive-wrapper'
import { Networker } from '@dat-sdk/networker'
import { Gossip } from '@dat-sdk/gossip'
import { Multifeed } from '@dat-sdk/multifeed'
import { createSDK, type NetworkerLike } from '@dat-sdk/sdk'
import type { ExtensionHost, NetworkPeer } from '@dat-sdk/interfaces'

export async function consumer(): Promise<void> {
  const store = Store.temp()
  store.on('core', (core) => void core.key)
  const events: keyof StoreEvents = 'core-close'
  const core = new Core(store.get({ name: 'log' }), { extensions: ['chat'] })
  core.on('peer-add', (peer: Peer) => peer.extension('chat', 'hi'))
  core.on('extension', (name: string, message: Uint8Array) => void [name, message])
  const ext = core.registerExtension<{ n: number }>('count', { encoding: 'json' })
  ext.broadcast({ n: 1 })
  const drive = new Drive(store)
  drive.on('append', () => {})
  const sync = drive.syncFolder('./folder')
  sync.on('synced', ({ added }) => void added.length)
  const networker = new Networker(store)
  networker.on('peer-add', (peer: NetworkPeer) => void peer.remotePublicKey)
  const host: ExtensionHost<NetworkPeer> = networker
  const gossip = new Gossip(host)
  gossip.on('change', (list) => void list.length)
  const multifeed = new Multifeed(store.namespace('mf'))
  multifeed.on('feed', (feed) => void feed.key)
  const sdk = await createSDK({ storage: false, networker: (s): NetworkerLike => new Networker(s) })
  await Promise.all([sync.close(), gossip.close(), multifeed.close(), drive.close(), core.close()])
  await Promise.all([sdk.close(), networker.close(), store.close()])
  void events
}
`

test.run()
