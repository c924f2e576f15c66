// Runs the chat example as its README does: three processes on a loopback testnet. Alice creates
// the room, Bob joins by invite, they talk, Carol joins later by another invite, gets the history,
// and all three print the same order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, teardown } from '@dat-sdk/test-utils'
import { App } from '../../helpers/app.js'

const INVITE = /^invite ([a-z0-9]+)$/

test('three members, two by invite, see one order; a late joiner gets the history', async () => {
  const t = teardown()
  try {
    const testnet = await createTestnet(3)
    t.add(() => testnet.destroy())
    const run = (name: string, args: string[]) =>
      t.add(
        new App(name, 'chat/chat.ts', [...args, '--name', name], {
          bootstrap: testnet.bootstrapList,
        }),
      )

    const alice = run('alice', ['create'])
    const room = (await alice.waitFor(/^room (hyper:\/\/\S+)$/)).match[1]
    const firstInvite = (await alice.waitFor(INVITE)).match[1]

    const bob = run('bob', ['join', firstInvite])
    assert.is((await bob.waitFor(/^joined (\S+)$/)).match[1], room)
    await bob.waitFor(/^writable$/)

    alice.send('hi bob')
    bob.send('hi alice')
    alice.send('how are you?')
    bob.send('fine, thanks')
    const said = ['alice: hi bob', 'bob: hi alice', 'alice: how are you?', 'bob: fine, thanks']
    for (const app of [alice, bob]) {
      for (const line of said) await app.waitFor(new RegExp(`^${escape(line)}$`))
    }

    // An invite is single-use: Carol needs a new one.
    const mark = alice.lines.length
    alice.send('/invite')
    const secondInvite = (await alice.waitFor(INVITE, { from: mark })).match[1]
    assert.is.not(secondInvite, firstInvite)
    const carol = run('carol', ['join', secondInvite])
    assert.is((await carol.waitFor(/^joined (\S+)$/)).match[1], room)
    for (const line of said) await carol.waitFor(new RegExp(`^${escape(line)}$`)) // the history
    await carol.waitFor(/^writable$/)
    carol.send('hello both')
    for (const app of [alice, bob, carol]) await app.waitFor(/^carol: hello both$/)

    // One order on all three.
    const histories = await Promise.all([alice, bob, carol].map(historyOf))
    assert.is(histories[0].length, 5)
    assert.equal(histories[1], histories[0])
    assert.equal(histories[2], histories[0])
    assert.is(histories[0][4], '5. carol: hello both')
    for (const line of said)
      assert.ok(
        histories[0].some((h) => h.endsWith(`. ${line}`)),
        line,
      )

    for (const app of [carol, bob, alice]) {
      const exit = await app.end()
      assert.equal(exit, { code: 0, signal: null }, `${app.name}: ${app.stderr}`)
      assert.is(app.lines.at(-1), 'bye')
    }
  } finally {
    await t.run()
  }
})

async function historyOf(app: App): Promise<string[]> {
  const mark = app.lines.length
  app.send('/history')
  const { match, index } = await app.waitFor(/^history (\d+)$/, { from: mark })
  const n = Number(match[1])
  await app.waitFor(/./, { from: index + n })
  return app.lines.slice(index + 1, index + 1 + n)
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

test.run()
