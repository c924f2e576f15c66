#!/usr/bin/env node
// Fails when a package's tsconfig `references` differ from its `workspace:` dependencies
// (dependencies and peerDependencies: what its compiled source imports). TypeScript 7 builds
// projects in parallel and fails on a missing reference, so they must match exactly.
// A package's `test/tsconfig.json` (type-checked by `pnpm typecheck`) references the package
// itself and every `workspace:` dependency, dev ones included, and is listed in tsconfig.test.json.
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const pkgsDir = path.join(root, 'packages')
const problems = []
const refsOf = (file) =>
  new Set(
    JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')).references.map((r) =>
      path.resolve(root, r.path),
    ),
  )
const testRefs = refsOf('tsconfig.test.json')
const rootRefs = refsOf('tsconfig.json')
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
  const testDir = path.join(dir, 'test')
  if (fs.existsSync(testDir)) {
    const testConfig = path.join(testDir, 'tsconfig.json')
    if (!fs.existsSync(testConfig)) {
      problems.push(`${name}: test/ has no tsconfig.json, so its tests are not type-checked`)
      continue
    }
    const all = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies }
    const wantTest = [
      dir,
      ...Object.keys(all)
        .filter((d) => String(all[d]).startsWith('workspace:'))
        .map((d) => path.resolve(pkgsDir, d.split('/')[1])),
    ].sort()
    const testConfigJson = JSON.parse(fs.readFileSync(testConfig, 'utf8'))
    const haveTest = (testConfigJson.references || [])
      .map((r) => path.resolve(testDir, r.path))
      .sort()
    if (wantTest.join() !== haveTest.join()) {
      problems.push(
        `${name}/test: references [${show(haveTest)}] but the package and its workspace dependencies are [${show(wantTest)}]`,
      )
    }
    if (!testRefs.has(testDir)) problems.push(`${name}: test/ missing from tsconfig.test.json`)
  }
}
// The examples (`examples/`, the private package @dat-sdk/examples) are type-checked, not built:
// `examples/tsconfig.json` references every `workspace:` dependency of theirs, dev ones included,
// and is listed in tsconfig.test.json, so `pnpm typecheck` covers them.
const examplesDir = path.join(root, 'examples')
if (fs.existsSync(path.join(examplesDir, 'package.json'))) {
  const pkg = JSON.parse(fs.readFileSync(path.join(examplesDir, 'package.json'), 'utf8'))
  const all = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies }
  const want = Object.keys(all)
    .filter((d) => String(all[d]).startsWith('workspace:'))
    .map((d) => path.resolve(pkgsDir, d.split('/')[1]))
    .sort()
  const configFile = path.join(examplesDir, 'tsconfig.json')
  const have = fs.existsSync(configFile)
    ? (JSON.parse(fs.readFileSync(configFile, 'utf8')).references || [])
        .map((r) => path.resolve(examplesDir, r.path))
        .sort()
    : []
  const show = (list) => list.map((p) => path.relative(pkgsDir, p)).join(', ') || '(none)'
  if (want.join() !== have.join()) {
    problems.push(
      `examples: references [${show(have)}] but its workspace dependencies are [${show(want)}]`,
    )
  }
  if (!testRefs.has(examplesDir)) problems.push('examples: missing from tsconfig.test.json')
}
if (problems.length) {
  console.error(
    'tsconfig references do not match workspace dependencies:\n  ' + problems.join('\n  '),
  )
  process.exit(1)
}
