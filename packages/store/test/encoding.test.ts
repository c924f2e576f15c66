import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import b4a from 'b4a'
import c, { type State } from 'compact-encoding'
import { resolveEncoding, type AbstractEncoding } from '@dat-sdk/store'
import { codeOf } from '@dat-sdk/test-utils'

const test = suite('resolveEncoding')

const point = {
  preencode(state: State, p: { x: number; y: number }) {
    c.uint.preencode(state, p.x)
    c.uint.preencode(state, p.y)
  },
  encode(state: State, p: { x: number; y: number }) {
    c.uint.encode(state, p.x)
    c.uint.encode(state, p.y)
  },
  decode(state: State) {
    return { x: c.uint.decode(state), y: c.uint.decode(state) }
  },
}

const abstract: AbstractEncoding<{ n: number }> = {
  encode: (m) => b4a.from([m.n]),
  decode: (buf) => {
    if (buf.byteLength !== 1) throw new Error('one byte expected')
    return { n: buf[0] }
  },
  encodingLength: () => 1,
}

test('every encoding round-trips', () => {
  const bin = resolveEncoding(undefined)
  assert.equal(bin.decode(bin.encode(b4a.from([1, 2]))), b4a.from([1, 2]))
  const utf = resolveEncoding<string>('utf-8')
  assert.is(utf.decode(utf.encode('héllo')), 'héllo')
  assert.is(resolveEncoding<string>('utf8').decode(b4a.from('x')), 'x')
  const json = resolveEncoding<unknown>('json')
  assert.equal(json.decode(json.encode({ a: [1, 'b'] })), { a: [1, 'b'] })
  const codec = resolveEncoding(point)
  assert.equal(codec.decode(codec.encode({ x: 3, y: 300 })), { x: 3, y: 300 })
  const abs = resolveEncoding(abstract)
  assert.equal(abs.decode(abs.encode({ n: 7 })), { n: 7 })
})

test('bad remote bytes are BAD_MESSAGE for every encoding', () => {
  assert.is(
    codeOf(() => resolveEncoding('utf-8').decode(b4a.from([0xff, 0xfe]))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => resolveEncoding('json').decode(b4a.from('{"a":'))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => resolveEncoding('json').decode(b4a.from([0xc3]))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => resolveEncoding(point).decode(b4a.from([0xfd]))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => resolveEncoding(point).decode(b4a.alloc(0))),
    'BAD_MESSAGE',
  )
  assert.is(
    codeOf(() => resolveEncoding(abstract).decode(b4a.alloc(3))),
    'BAD_MESSAGE',
  )
})

// Decodes the way protocol-buffers does: trusts a length prefix, reads what is there, and says in
// `decode.bytes` how far it read (abstract-encoding's contract).
function decodePrefixed(buf: Uint8Array): string {
  const len = buf[0] ?? 0
  decodePrefixed.bytes = 1 + len
  return b4a.toString(buf.subarray(1, 1 + len))
}
decodePrefixed.bytes = 0
const prefixed: AbstractEncoding<string> = {
  encode: (s) => b4a.concat([b4a.from([b4a.byteLength(s)]), b4a.from(s)]),
  decode: decodePrefixed,
  encodingLength: (s) => 1 + b4a.byteLength(s),
}

test('an abstract-encoding that read past the end of the bytes (a cut message) is BAD_MESSAGE', () => {
  const codec = resolveEncoding(prefixed)
  const whole = codec.encode('hello')
  assert.is(codec.decode(whole), 'hello')
  assert.is(decodePrefixed(whole.subarray(0, 3)), 'he', 'the decoder alone does not notice')
  assert.is(
    codeOf(() => codec.decode(whole.subarray(0, 3))),
    'BAD_MESSAGE',
  )
  // Trailing bytes are left alone, as with compact-encoding codecs.
  assert.is(codec.decode(b4a.concat([whole, b4a.from([9])])), 'hello')
  // An encoding that does not report `decode.bytes` is taken at its word.
  assert.equal(resolveEncoding(abstract).decode(b4a.from([4])), { n: 4 })
})

test('what cannot be encoded is a TypeError at the caller', () => {
  // Each cast below hands in what the types forbid on purpose: the runtime check is under test.
  assert.throws(() => resolveEncoding<string>('utf-8').encode(42 as unknown as string), TypeError) // wrong type on purpose
  assert.throws(() => resolveEncoding('binary').encode({} as unknown as Uint8Array), TypeError) // wrong type on purpose
  assert.throws(() => resolveEncoding<unknown>('json').encode(undefined), TypeError)
  assert.throws(() => resolveEncoding('nope' as 'json'), TypeError)
})

test.run()
