import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compileIgnore } from '../src/ignore.js'

const test = suite('ignore patterns')

test('.dat is always ignored, at the root only as a name match', () => {
  const ignore = compileIgnore()
  assert.ok(ignore('/.dat'))
  assert.not.ok(ignore('/a.txt'))
  assert.not.ok(ignore('/.data'))
  assert.not.ok(ignore('/dat'))
})

test('a name pattern matches at any depth, and takes a folder with everything in it', () => {
  const ignore = compileIgnore(['node_modules', '*.tmp', '.git/'])
  assert.ok(ignore('/node_modules'))
  assert.ok(ignore('/node_modules/x/index.js'))
  assert.ok(ignore('/pkg/node_modules/y.js'))
  assert.ok(ignore('/a.tmp'))
  assert.ok(ignore('/deep/er/b.tmp'))
  assert.ok(ignore('/.git/HEAD'))
  assert.not.ok(ignore('/a.tmp.txt'))
  assert.not.ok(ignore('/node_modules_old/x'))
  assert.not.ok(ignore('/src/index.js'))
})

test('a pattern with a slash is anchored at the root; ** spans folders; ? is one character', () => {
  const ignore = compileIgnore(['build/out', '/notes.txt', 'logs/**/*.log', 'v?.bin'])
  assert.ok(ignore('/build/out'))
  assert.ok(ignore('/build/out/file'))
  assert.not.ok(ignore('/src/build/out'))
  assert.ok(ignore('/notes.txt'))
  assert.not.ok(ignore('/sub/notes.txt'))
  assert.ok(ignore('/logs/a.log'))
  assert.ok(ignore('/logs/x/y/b.log'))
  assert.not.ok(ignore('/logs/a.txt'))
  assert.ok(ignore('/v1.bin'))
  assert.not.ok(ignore('/v10.bin'))
})

test('* does not cross folders; regex characters are literal', () => {
  const ignore = compileIgnore(['a/*.js', '(x)+[y].md'])
  assert.ok(ignore('/a/b.js'))
  assert.not.ok(ignore('/a/b/c.js'))
  assert.ok(ignore('/(x)+[y].md'))
  assert.not.ok(ignore('/xy.md'))
})

test('patterns must be strings in an array', () => {
  assert.throws(() => compileIgnore('*.tmp' as unknown as string[]), TypeError) // wrong type on purpose
  assert.throws(() => compileIgnore([1 as unknown as string]), TypeError) // wrong type on purpose
  assert.not.ok(compileIgnore(['', '  ', '/'])('/anything'))
})

test.run()
