// The storage layout: the on-disk namespace names stay what they were, so existing data opens.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import { Store, layout } from '@dat-sdk/store'
import { teardown } from '@dat-sdk/test-utils'

const test = suite('store: storage layout')

test('each part keeps the namespace name it used before the layout moved to store', () => {
  assert.is(layout.drive('photos'), '@dat-sdk/drive/photos')
  assert.is(layout.corestore('app'), 'corestore/app')
  assert.is(layout.multifeed('chat'), 'multifeed/chat')
  assert.is(layout.multifeedFeeds, 'multifeed')
  assert.is(layout.multifeedIndex, 'index')
  assert.is(layout.multifeedWriter('default'), 'writer/default')
})

test('a name through the layout gives the same key as the name spelled out, and a namespace keeps its parent', async () => {
  const t = teardown()
  try {
    const primaryKey = b4a.alloc(32, 7)
    const store = t.add(new Store(t.tmpDir(), { primaryKey }))
    await store.ready()
    const viaLayout = store.namespace(layout.multifeed('chat')).namespace(layout.multifeedFeeds)
    const spelled = store.namespace('multifeed/chat').namespace('multifeed')
    await Promise.all([viaLayout.ready(), spelled.ready()])
    const key = viaLayout.keyFor(layout.multifeedWriter('default'))
    assert.ok(key)
    assert.equal(key, spelled.keyFor('writer/default'))
    assert.is(viaLayout.parent?.parent, store, 'namespace() hands its child the parent')
    const seen: string[] = []
    store.on('core', (core) => seen.push(b4a.toString(core.key!, 'hex')))
    const core = viaLayout.get({ name: layout.multifeedWriter('default') })
    await core.ready()
    assert.equal(core.key, key)
    assert.equal(seen, [b4a.toString(key!, 'hex')], "the root store hears of the namespace's core")
  } finally {
    await t.run()
  }
})

test.run()
