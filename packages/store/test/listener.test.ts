import { EventEmitter } from 'node:events'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sharedListener } from '@dat-sdk/store'

const test = suite('sharedListener')

class Owner {
  readonly heard: Array<[string, number]> = []
  readonly listener = sharedListener(this, Owner._heard)

  private static _heard(owner: Owner, emitter: Named, n: number): void {
    owner.heard.push([emitter.name, n])
  }
}

class Named extends EventEmitter {
  constructor(readonly name: string) {
    super()
  }
}

test('one function on many emitters: each call gets the owner, the emitter it came from and the arguments', () => {
  const owner = new Owner()
  const a = new Named('a')
  const b = new Named('b')
  a.on('n', owner.listener)
  b.on('n', owner.listener)
  a.emit('n', 1)
  b.emit('n', 2)
  a.emit('n', 3)
  assert.equal(owner.heard, [
    ['a', 1],
    ['b', 2],
    ['a', 3],
  ])
  // The same function on both: removing it from one leaves the other listening.
  a.off('n', owner.listener)
  a.emit('n', 4)
  b.emit('n', 5)
  assert.equal(owner.heard.at(-1), ['b', 5])
  assert.is(owner.heard.length, 4)
})

test.run()
