// Runs the kv-sync example as its README does: a writer and a watcher in two processes on a
// loopback testnet; the watcher prints the entries under its prefix, then each change there, and
// nothing of the keys outside it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, teardown } from '@dat-sdk/test-utils'
import { App } from '../../helpers/app.js'

test('a watcher in another process sees each change in its range, and none outside it', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const run = (name: string, args: string[]) =>
      t.add(new App(name, 'kv-sync/kv-sync.ts', args, { bootstrap: testnet.bootstrapList }))

    const writer = run('writer', ['write'])
    const url = (await writer.waitFor(/^db (hyper:\/\/\S+)$/)).match[1]
    let mark = writer.lines.length
    const write = async (command: string, version: number) => {
      writer.send(command)
      await writer.waitFor(new RegExp(`^ok ${version}$`), { from: mark })
      mark = writer.lines.length
    }
    await write('put fruit/apple 120 10', 2)
    await write('put veg/leek 80 2', 3)

    const watcher = run('watcher', ['watch', url, 'fruit/'])
    await watcher.waitFor(/^watching fruit\/ at version 3$/)
    assert.equal(watcher.lines, [
      '= fruit/apple price=120 stock=10',
      'watching fruit/ at version 3',
    ])

    // Outside the range, then inside it: the watcher's next turn (version 5) covers both writes.
    await write('put veg/carrot 50 3', 4)
    await write('put fruit/pear 90 4', 5)
    await watcher.waitFor(/^version 5$/)
    await write('put fruit/apple 110 9', 6)
    await watcher.waitFor(/^version 6$/)
    await write('del fruit/pear', 7)
    await watcher.waitFor(/^version 7$/)
    assert.equal(watcher.lines.slice(2), [
      '+ fruit/pear price=90 stock=4',
      'version 5',
      '~ fruit/apple price=110 stock=9',
      'version 6',
      '- fruit/pear',
      'version 7',
    ])

    for (const app of [watcher, writer]) {
      const exit = await app.end()
      assert.equal(exit, { code: 0, signal: null }, `${app.name}: ${app.stderr}`)
      assert.is(app.lines.at(-1), 'bye')
    }
  } finally {
    await t.run()
  }
})

test.run()
