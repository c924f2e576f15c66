#!/usr/bin/env node
// Fails when a package's tsconfig `references` differ from its `workspace:` dependencies
// (dependencies and peerDependencies: what its compiled source imports). TypeScript 7 builds
// projects in parallel and fails on a missing reference, so they must match exactly.
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const pkgsDir = path.join(root, 'packages')
const problems = []
const rootRefs = new Set(
  JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).references.map((r) =>
    path.resolve(root, r.path),
  ),
)
for (const name of fs.readdirSync(pkgsDir).sort()) {
  const dir = path.join(pkgsDir, name)
  const pj = path.join(dir, 'package.json')
  if (!fs.existsSync(pj)) continue
  const pkg = JSON.parse(fs.readFileSync(pj, 'utf8'))
  const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'))
  const deps = { ...pkg.dependencies, ...pkg.peerDependencies }
  const want = Object.keys(deps)
    .filter((d) => String(deps[d]).startsWith('workspace:'))
    .map((d) => path.resolve(pkgsDir, d.split('/')[1]))
    .sort()
  const have = (tsconfig.references || []).map((r) => path.resolve(dir, r.path)).sort()
  const show = (list) => list.map((p) => path.relative(pkgsDir, p)).join(', ') || '(none)'
  if (want.join() !== have.join()) {
    problems.push(
      `${name}: references [${show(have)}] but workspace dependencies are [${show(want)}]`,
    )
  }
  if (!rootRefs.has(dir)) problems.push(`${name}: missing from the root tsconfig.json references`)
}
if (problems.length) {
  console.error(
    'tsconfig references do not match workspace dependencies:\n  ' + problems.join('\n  '),
  )
  process.exit(1)
}
