import fs from 'node:fs'
import path from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  checkReadmeExample,
  expectedOutput,
  matchesExpected,
  outputMismatch,
  teardown,
} from '@dat-sdk/test-utils'

const test = suite('README checker: every printed line is checked, HTML literally')

const packageDir = path.resolve(import.meta.dirname, '..')

/** Runs `code` as the usage example of a README of its own; resolves with why it failed, or null. */
async function check(code: string): Promise<string | null> {
  const t = teardown()
  try {
    const readme = path.join(t.tmpDir('readme-fixture'), 'README.md')
    fs.writeFileSync(readme, `# fixture\n\n\`\`\`js\n${code}\n\`\`\`\n`)
    await checkReadmeExample(packageDir, { readme, timeout: 20_000 })
    return null
  } catch (err) {
    return (err as Error).message
  } finally {
    await t.run()
  }
}

test('a placeholder matches text that changes from run to run, one word of it', () => {
  const url = 'hyper://<z-base-32>/'
  assert.ok(matchesExpected('hyper://yry8bm3xg9f6a1kz/', url))
  assert.ok(matchesExpected('hyper://c6zfm1xquq4h/', url))
  assert.not.ok(matchesExpected('hyper:///', url), 'it stands for something, not nothing')
  assert.not.ok(matchesExpected('hyper://two words/', url), 'one word, not a sentence')
  assert.not.ok(matchesExpected('dat://yry8bm3xg9f6a1kz/', url), 'the text around it is literal')
  assert.ok(matchesExpected('4f2a9c01 says hi', '<peer-id> says hi'))
  assert.ok(matchesExpected('a b', '<first> <second>'))
})

test('literal HTML matches only itself', () => {
  assert.ok(matchesExpected('<h1>hello</h1>', '<h1>hello</h1>'))
  assert.not.ok(matchesExpected('<em>hello</em>', '<h1>hello</h1>'))
  assert.not.ok(matchesExpected('<h1>hello</h2>', '<h1>hello</h1>'))
  assert.not.ok(matchesExpected('x', '<br>'), 'void elements are literal')
  assert.ok(matchesExpected('a<br>b', 'a<br>b'))
  assert.not.ok(matchesExpected('x', '<a href="/">'), 'tags with attributes are literal')
  assert.not.ok(matchesExpected('x', '<a key>'), 'a space makes it literal')
  assert.not.ok(matchesExpected('x', '<Key>'), 'capitals make it literal')
  assert.not.ok(matchesExpected('[x]', '[.*]'), 'regex characters are literal')
})

test('the expected lines are the console.log comments, in source order', () => {
  const code = [
    "console.log('a') // a",
    "console.log('b')",
    '// a comment on its own',
    "console.log('c'); // c",
  ].join('\n')
  assert.equal(expectedOutput(code), ['a', 'c'])
})

test('output and comments must agree line for line and in number', () => {
  assert.is(outputMismatch(['a', 'b'], ['a', 'b']), null)
  assert.match(outputMismatch(['a', 'x'], ['a', 'b']) ?? '', 'line 2 is "x"')
  assert.match(outputMismatch(['a'], ['a', 'b']) ?? '', 'never printed line 2')
  assert.match(outputMismatch(['a', 'b'], ['a']) ?? '', 'printed line 2, "b"')
  assert.match(outputMismatch(['b', 'a'], ['a', 'b']) ?? '', 'line 1 is "b"')
})

test('an example that prints what its comments say passes, and its lines come back', async () => {
  const t = teardown()
  try {
    const readme = path.join(t.tmpDir('readme-fixture'), 'README.md')
    const code = [
      "const key = Math.random().toString(36).slice(2, 10) + 'k'",
      'console.log(`hyper://${key}/`) // hyper://<key>/',
      "console.log('<h1>hello</h1>') // <h1>hello</h1>",
    ].join('\n')
    fs.writeFileSync(readme, `# fixture\n\n\`\`\`js\n${code}\n\`\`\`\n`)
    const lines = await checkReadmeExample(packageDir, { readme })
    assert.is(lines.length, 2)
    assert.match(lines[0], /^hyper:\/\/[a-z0-9]+k\/$/)
    assert.is(lines[1], '<h1>hello</h1>')
  } finally {
    await t.run()
  }
})

test('an example printing other HTML than its comment says fails', async () => {
  const why = await check("console.log('<em>hello</em>') // <h1>hello</h1>")
  assert.match(why ?? 'passed', 'line 1 is "<em>hello</em>"')
})

test('a wrong expected line fails the check', async () => {
  const why = await check("console.log('one') // one\nconsole.log('two') // three")
  assert.match(why ?? 'passed', 'line 2 is "two", but the comment says "three"')
})

test('a line the example never prints fails the check', async () => {
  const why = await check("console.log('one') // one\nif (false) console.log('two') // two")
  assert.match(why ?? 'passed', 'never printed line 2, "two"')
})

test('a printed line with no expected comment fails the check', async () => {
  const why = await check("console.log('one') // one\nconsole.log('unchecked')")
  assert.match(why ?? 'passed', 'printed line 2, "unchecked", which no')
})

test('an example that throws, or says nothing of its output, fails the check', async () => {
  const thrown = await check("console.log('one') // one\nthrow new Error('boom')")
  assert.match(thrown ?? 'passed', 'exited with 1')
  const silent = await check("console.log('one')")
  assert.match(silent ?? 'passed', 'says nothing about its output')
})

test.run()
