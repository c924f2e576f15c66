import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Store } from '@dat-sdk/store'
import { teardown, eventually, replicatePair } from '@dat-sdk/test-utils'
import { Drive } from '@dat-sdk/drive-wrapper'
import { binary } from './helpers.js'

const test = suite('Drive replication')

const FILES: Record<string, Uint8Array> = {
  '/empty': new Uint8Array(0),
  '/hello.txt': Buffer.from('hello world\n'),
  '/every-byte.bin': Uint8Array.from({ length: 256 }, (_, i) => i),
  '/large.bin': binary(3 * 1024 * 1024 + 17, 5),
  '/deep/er/and/deeper/file.txt': Buffer.from('deep'),
  '/名前 with spaces/ünïcödé ✓.txt': Buffer.from('unicode name'),
  '/.hidden': Buffer.from('dotfile'),
}

test('files of every kind round-trip through a drive replicated to a second peer', async () => {
  const t = teardown()
  try {
    const writerStore = t.add(Store.temp())
    const writer = t.add(new Drive(writerStore))
    await writer.ready()
    for (const [name, data] of Object.entries(FILES)) await writer.put(name, data)
    await writer.put('/tool.sh', '#!/bin/sh\necho hi\n', { executable: true })
    await writer.symlink('/link', '/hello.txt')

    const readerStore = t.add(Store.temp())
    const reader = t.add(new Drive(readerStore, writer.key))
    await reader.ready()
    assert.not.ok(reader.writable)
    const pair = replicatePair(writerStore, readerStore)
    t.add(() => pair.close())

    await eventually(
      async () => (await reader.update({ wait: true })) || reader.version === writer.version,
      {
        timeout: 20_000,
      },
    )
    assert.is(reader.version, writer.version)
    for (const [name, data] of Object.entries(FILES)) {
      const got = await reader.get(name)
      assert.ok(got, `${name} arrived`)
      assert.ok(Buffer.from(got!).equals(Buffer.from(data)), `${name} has the same bytes`)
    }
    assert.ok((await reader.entry('/tool.sh'))!.value.executable, 'the executable bit travels')
    assert.is((await reader.entry('/link'))!.value.linkname, '/hello.txt')

    // Changes made after the first copy arrive too.
    await writer.put('/hello.txt', 'changed')
    await writer.del('/empty')
    await eventually(
      async () => {
        await reader.update()
        return (
          (await reader.readFile('/hello.txt', 'utf-8')) === 'changed' &&
          !(await reader.exists('/empty'))
        )
      },
      { timeout: 20_000 },
    )

    const keys: string[] = []
    for await (const entry of reader.list('/')) keys.push(entry.key)
    assert.ok(keys.includes('/名前 with spaces/ünïcödé ✓.txt'))
    assert.not.ok(keys.includes('/empty'))
  } finally {
    await t.run()
  }
})

test.run()
