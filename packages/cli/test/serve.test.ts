import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { createTestnet, eventually, teardown, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { Running } from './helpers/cli.js'

const test = suite('dat-sdk serve and share --serve: drives over HTTP')

let testnet: LoopbackTestnet
let bootstrap: string[]
test.before(async () => {
  testnet = await createTestnet(3)
  bootstrap = ['--bootstrap', testnet.bootstrapList]
})
test.after(async () => {
  await testnet.destroy()
})

/** A GET to 127.0.0.1:`port` with `Host: host`. */
function hostGet(
  port: string,
  host: string,
  path: string,
): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ hostname: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
        let body = ''
        res.setEncoding('utf-8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () =>
          resolve({ status: res.statusCode!, location: res.headers.location, body }),
        )
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

test('share --serve prints the page address; an edit in the folder shows on reload', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('site')
    fs.writeFileSync(path.join(dir, 'index.html'), '<h1>first</h1>')
    const share = t.add(
      new Running(['share', dir, '--serve', ...bootstrap, '--storage', t.tmpDir('storage')]),
    )
    const [url] = await share.waitFor(/^hyper:\/\/\S+$/m)
    const [page] = await share.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/hyper\/\S+\/$/m)
    assert.is(page.slice(page.indexOf('/hyper/') + 7), url.slice('hyper://'.length))
    // For a browser: the folder on an origin of its own (Node does not resolve *.localhost, so
    // the request goes to 127.0.0.1 with that Host).
    const [own] = await share.waitFor(/^http:\/\/[a-z0-9]{52}\.localhost:\d+\/$/m)
    const port = new URL(page).port
    assert.is(own, `http://${url.slice('hyper://'.length, -1)}.localhost:${port}/`)
    const browser = await hostGet(port, new URL(own).host, '/')
    assert.is(browser.status, 200)
    assert.is(browser.body, '<h1>first</h1>')
    const first = await fetch(page)
    assert.is(first.status, 200)
    assert.is(await first.text(), '<h1>first</h1>')
    fs.writeFileSync(path.join(dir, 'index.html'), '<h1>edited</h1>')
    await eventually(async () => (await (await fetch(page)).text()) === '<h1>edited</h1>', {
      timeout: 20_000,
    })
    const result = await share.stop()
    assert.is(result.code, 0, result.stderr)
  } finally {
    await t.run()
  }
})

test('serve prints its address, serves a drive shared by another process, exits 0 on SIGINT/SIGTERM', async () => {
  const t = teardown()
  try {
    const dir = t.tmpDir('shared')
    fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello through the gateway')
    const share = t.add(new Running(['share', dir, ...bootstrap, '--storage', t.tmpDir('a')]))
    const [url] = await share.waitFor(/^hyper:\/\/\S+$/m)
    await share.waitFor(/^Sharing /m, 'stderr')
    const serve = t.add(new Running(['serve', ...bootstrap, '--storage', t.tmpDir('b')]))
    const [address] = await serve.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/$/m)
    const port = new URL(address).port
    const [forBrowsers] = await serve.waitFor(/^http:\/\/localhost:\d+\/$/m)
    assert.is(forBrowsers, `http://localhost:${port}/`)
    assert.not.match(serve.stdout, 'token')
    // On localhost the path form leads a browser to the drive's own origin.
    const key = url.slice('hyper://'.length, -1)
    const moved = await hostGet(port, `localhost:${port}`, `/hyper/${key}/hello.txt`)
    assert.is(moved.status, 301)
    assert.is(moved.location, `http://${key}.localhost:${port}/hello.txt`)
    const own = await hostGet(port, `${key}.localhost:${port}`, '/hello.txt')
    assert.is(own.body, 'hello through the gateway')
    const res = await fetch(`${address}hyper/${url.slice('hyper://'.length)}hello.txt`)
    assert.is(res.status, 200)
    assert.is(await res.text(), 'hello through the gateway')
    const readOnly = await fetch(`${address}hyper/${url.slice('hyper://'.length)}x.txt`, {
      method: 'PUT',
      body: 'x',
    })
    assert.is(readOnly.status, 405)
    await readOnly.arrayBuffer()
    serve.child.kill('SIGTERM')
    const result = await serve.exited()
    assert.is(result.code, 0, result.stderr)
  } finally {
    await t.run()
  }
})

test('serve --writable prints a token that writes need; --port and --host are used', async () => {
  const t = teardown()
  try {
    const serve = t.add(
      new Running([
        'serve',
        '--writable',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        ...bootstrap,
        '--storage',
        t.tmpDir('w'),
      ]),
    )
    const [address] = await serve.waitFor(/^http:\/\/127\.0\.0\.1:\d+\/$/m)
    const [, token] = await serve.waitFor(/^token: (\S+)$/m)
    const noToken = await fetch(`${address}hyper/${'a'.repeat(64)}/x.txt`, {
      method: 'PUT',
      body: 'x',
    })
    assert.is(noToken.status, 401)
    await noToken.arrayBuffer()
    assert.ok(token.length >= 40)
    const result = await serve.stop()
    assert.is(result.code, 0, result.stderr)
  } finally {
    await t.run()
  }
})

test.run()
