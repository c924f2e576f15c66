// Runs the website example as its README does, on a loopback testnet, and opens its page in a
// real Chromium (Debian's, driven by playwright-core, as the gateway's browser test does): the
// site renders on its drive's own origin, and an edit to a file in the folder reloads the page
// with the new content, through server-sent events. Under CI=true a missing Chromium fails the
// run instead of skipping it.
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestnet, makeTmpDir, removeDir, teardown } from '@dat-sdk/test-utils'
import { App } from '../../helpers/app.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run']
const SITE = path.resolve(import.meta.dirname, '../site')
const NAME = 'the page renders from the drive and reloads itself when a file changes'

if (!fs.existsSync(CHROMIUM)) {
  const why = `no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`
  if (process.env.CI === 'true') {
    // In CI a browser test that cannot run is a failure, not a quiet skip.
    test('a real Chromium is there to drive', () => assert.unreachable(why))
  } else {
    console.log(`SKIPPED: ${why}`)
    test.skip(NAME, () => {})
  }
} else {
  test(NAME, async () => {
    const t = teardown()
    try {
      const { chromium } = await import('playwright-core')
      const testnet = await createTestnet(3)
      t.add(() => testnet.destroy())
      const tmp = makeTmpDir('website')
      t.add(() => removeDir(tmp))
      const folder = path.join(tmp, 'my-site')
      fs.cpSync(SITE, folder, { recursive: true })

      const app = t.add(
        new App('website', 'website/website.ts', [folder], {
          bootstrap: testnet.bootstrapList,
        }),
      )
      const key = (await app.waitFor(/^site hyper:\/\/([a-z0-9]{52})\/$/)).match[1]
      const url = (await app.waitFor(/^open (http:\/\/\S+)$/)).match[1]
      assert.match(url, new RegExp(`^http://${key}\\.localhost:\\d+/$`))

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
      t.add(() => browser.close())
      const page = await browser.newPage()
      const main = await page.goto(url)
      assert.is(main?.status(), 200)
      assert.is(await page.textContent('#title'), 'Hello from a drive')
      assert.is(
        await page.$eval('#title', (el) => getComputedStyle(el).color),
        'rgb(200, 30, 60)',
        'the stylesheet came from the drive',
      )
      // live.js has its EventSource open: from here on, a change is seen.
      await page.waitForSelector('html[data-live="open"]')

      const reloaded = page.waitForEvent('load', { timeout: 30_000 })
      const mark = app.lines.length
      const html = fs.readFileSync(path.join(folder, 'index.html'), 'utf-8')
      fs.writeFileSync(
        path.join(folder, 'index.html'),
        html.replace('Hello from a drive', 'Edited, and reloaded'),
      )
      await app.waitFor(/^synced \+0 ~1 -0 \(version \d+\)$/, { from: mark })
      await reloaded
      assert.is(await page.textContent('#title'), 'Edited, and reloaded')
      await page.waitForSelector('html[data-live="open"]') // listening again

      const exit = await app.end()
      assert.equal(exit, { code: 0, signal: null }, app.stderr)
      assert.is(app.lines.at(-1), 'bye')
    } finally {
      await t.run()
    }
  })
}

test.run()
