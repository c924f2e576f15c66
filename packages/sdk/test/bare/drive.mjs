// @dat-sdk/drive-wrapper under Bare: files written, replicated, and a folder synced out (bare-fs).
import fs from 'bare-fs'
import path from 'bare-path'
import os from 'bare-os'
import { Store } from '@dat-sdk/store'
import { Drive } from '@dat-sdk/drive-wrapper'

const here = fs.mkdtempSync(path.join(os.tmpdir(), 'dat-sdk-bare-drive-'))
const alice = Store.temp()
const bob = Store.temp()
try {
  const site = new Drive(alice)
  await site.put('/index.html', '<h1>hello</h1>')
  const copy = new Drive(bob, site.url)
  const stream = alice.replicate(true)
  stream.pipe(bob.replicate(false)).pipe(stream)
  await copy.update({ wait: true })
  const read = await copy.readFile('/index.html', 'utf-8')
  const clone = copy.syncFolder(path.join(here, 'clone'))
  await clone.ready()
  const onDisk = fs.readFileSync(path.join(here, 'clone', 'index.html'), 'utf-8')
  await Promise.all([copy.close(), site.close()])
  console.log(`ok drive ${read} ${onDisk}`)
} finally {
  await Promise.all([bob.close(), alice.close()])
  fs.rmSync(here, { recursive: true, force: true })
}
