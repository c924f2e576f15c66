import path from 'node:path'
import { suite } from 'uvu'
import { checkReadmeExample } from '@dat-sdk/test-utils'

const test = suite('README')

test('the usage example runs as written and prints what its comments say', async () => {
  await checkReadmeExample(path.resolve(import.meta.dirname, '..'))
})

test('the block size example (block 1) runs as written and prints what its comments say', async () => {
  await checkReadmeExample(path.resolve(import.meta.dirname, '..'), { index: 1 })
})

test('the private data example (block 2) runs as written and prints what its comments say', async () => {
  await checkReadmeExample(path.resolve(import.meta.dirname, '..'), { index: 2 })
})

test.run()
