// Runs the presence example as its README does: three processes on a loopback testnet. Each sees
// the others' keys through gossip, a typing indicator reaches the connected peers (a late joiner
// too), and a peer that leaves is removed from everyone's set.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, teardown } from '@dat-sdk/test-utils'
import { App } from '../../helpers/app.js'

test('peers see each other come and go, and who is typing', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const start = async (name: string) => {
      const app = t.add(
        new App(name, 'presence/presence.ts', ['--name', name, '--room', 'test'], {
          bootstrap: testnet.bootstrapList,
        }),
      )
      const key = (await app.waitFor(/^me ([a-z0-9]{52})$/)).match[1]
      await app.waitFor(/^joined test$/)
      return { app, key }
    }

    const alice = await start('alice')
    const bob = await start('bob')
    await alice.app.waitFor(new RegExp(`^\\+ ${bob.key}$`))
    await bob.app.waitFor(new RegExp(`^\\+ ${alice.key}$`))

    bob.app.send('/typing')
    await alice.app.waitFor(/^bob is typing$/)

    // Carol arrives while Bob types: she learns both keys, and that Bob is typing.
    const carol = await start('carol')
    await carol.app.waitFor(new RegExp(`^\\+ ${alice.key}$`))
    await carol.app.waitFor(new RegExp(`^\\+ ${bob.key}$`))
    await carol.app.waitFor(/^bob is typing$/)
    for (const { app } of [alice, bob]) await app.waitFor(new RegExp(`^\\+ ${carol.key}$`))

    bob.app.send('/idle')
    for (const { app } of [alice, carol]) await app.waitFor(/^bob stopped typing$/)
    // Said once each: the indicator prints changes, not every message.
    for (const { app } of [alice, carol]) {
      assert.is(app.lines.filter((l) => l === 'bob is typing').length, 1, app.name)
    }
    assert.not.ok(
      bob.app.lines.some((l) => l.includes('typing')),
      'bob does not hear himself',
    )

    const exit = await carol.app.end()
    assert.equal(exit, { code: 0, signal: null }, carol.app.stderr)
    assert.is(carol.app.lines.at(-1), 'bye')
    for (const { app } of [alice, bob]) await app.waitFor(new RegExp(`^- ${carol.key}$`))

    for (const { app } of [bob, alice]) {
      assert.equal(await app.end(), { code: 0, signal: null }, `${app.name}: ${app.stderr}`)
      assert.is(app.lines.at(-1), 'bye')
    }
  } finally {
    await t.run()
  }
})

test.run()
