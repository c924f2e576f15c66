import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import { createSDK, toZ32, type SDK } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createGateway, type Gateway } from '../src/index.js'
import { APP_JS, INDEX_HTML, STYLE_CSS, png } from './helpers/site.js'

// What the test site's app.js (helpers/site.ts) leaves on the page's `window`.
declare global {
  interface Window {
    liveOpen?: boolean
    changes: Array<{ path: string; version: number }>
  }
}

const test = suite('a real Chromium opens a drive replicated to the gateway SDK')

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIPPED: no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`)
  test.skip('the page renders, fetches, seeks its video and sees live changes', () => {})
} else {
  type Browser = import('playwright-core').Browser
  let testnet: LoopbackTestnet
  let writer: SDK
  let reader: SDK
  let gateway: Gateway
  let browser: Browser

  test.before(async () => {
    const { chromium } = await import('playwright-core')
    testnet = await createTestnet(3)
    writer = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
    reader = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
    gateway = await createGateway(reader)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  })
  test.after(async () => {
    await browser?.close()
    await gateway?.close()
    await reader?.close()
    await writer?.close()
    await testnet?.destroy()
  })

  /** A playable WebM of about 5 MiB: Chromium records a canvas of noise (noise compresses badly). */
  async function recordVideo(): Promise<Buffer> {
    const page = await browser.newPage()
    try {
      const base64 = await page.evaluate(async () => {
        const canvas = document.createElement('canvas')
        canvas.width = 640
        canvas.height = 360
        const ctx = canvas.getContext('2d')!
        const recorder = new MediaRecorder(canvas.captureStream(30), {
          mimeType: 'video/webm;codecs=vp8',
          videoBitsPerSecond: 20_000_000,
        })
        const chunks: Blob[] = []
        recorder.ondataavailable = (e) => chunks.push(e.data)
        const image = ctx.createImageData(640, 360)
        const draw = setInterval(() => {
          for (let i = 0; i < image.data.length; i++) image.data[i] = Math.random() * 255
          ctx.putImageData(image, 0, 0)
        }, 33)
        recorder.start(250)
        await new Promise((resolve) => setTimeout(resolve, 3000))
        const stopped = new Promise((resolve) => (recorder.onstop = resolve))
        recorder.stop()
        clearInterval(draw)
        await stopped
        const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer())
        let text = ''
        for (let i = 0; i < bytes.length; i += 0x8000) {
          text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
        }
        return btoa(text)
      })
      return Buffer.from(base64, 'base64')
    } finally {
      await page.close()
    }
  }

  test('the page renders, fetches, seeks its video and sees live changes', async () => {
    const video = await recordVideo()
    assert.ok(video.length > 3 * 1024 * 1024, `a video of ${video.length} bytes`)
    assert.is(video.subarray(0, 4).toString('hex'), '1a45dfa3', 'an EBML (WebM) header')

    // Written on one SDK...
    const site = writer.Hyperdrive()
    await site.put('/index.html', INDEX_HTML)
    await site.put('/style.css', STYLE_CSS)
    await site.put('/app.js', APP_JS)
    await site.put('/img/logo.png', png(64, 64, [20, 120, 220]))
    await site.put('/data.json', JSON.stringify({ message: 'fetched from the drive' }))
    await site.put('/media/clip.webm', video)
    await writer.flush(site)

    // ...served by the gateway of the other, which replicates it on the first request.
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } })
    const media: Array<{ status: number; range: string | null }> = []
    page.on('response', (res) => {
      if (res.url().endsWith('/media/clip.webm')) {
        media.push({ status: res.status(), range: res.request().headers()['range'] ?? null })
      }
    })
    const url = `${gateway.url}hyper/${toZ32(site.key!)}/`
    const main = await page.goto(url)
    assert.is(main?.status(), 200)

    assert.is(await page.textContent('#title'), 'Served from a hyperdrive')
    assert.is(
      await page.$eval('#title', (el) => getComputedStyle(el).color),
      'rgb(200, 30, 60)',
      'the stylesheet applied',
    )
    await page.waitForFunction(() => {
      const img = document.getElementById('logo') as HTMLImageElement
      return img.complete && img.naturalWidth === 64
    })
    await page.waitForFunction(
      () => document.getElementById('data')!.textContent === 'fetched from the drive',
    )

    // The video: metadata loads, then a seek; the media requests are ranges answered 206.
    await page.waitForFunction(
      () => (document.getElementById('clip') as HTMLVideoElement).readyState >= 1,
      undefined,
      { timeout: 30_000 },
    )
    // (A 5 MiB file fits Chromium's media buffer: it reads it with one open range, bytes=0-,
    // and seeks inside what it has; the ranges at the edges are tested in read.test.ts.)
    const at = await page.evaluate(async () => {
      const el = document.getElementById('clip') as HTMLVideoElement
      const seeked = new Promise((resolve) =>
        el.addEventListener('seeked', resolve, { once: true }),
      )
      el.currentTime = 2.5
      await seeked
      return el.currentTime
    })
    // A WebM recorded by MediaRecorder has no cues: Chromium lands on a nearby frame it can
    // decode (2.2 s was seen on a loaded machine), so the check is that the seek moved and settled.
    assert.ok(at > 0.5 && at < 2.6, `the video seeked towards 2.5 s: at ${at} s`)
    assert.ok(
      media.some((m) => m.status === 206 && m.range !== null),
      JSON.stringify(media),
    )
    assert.ok(
      media.every((m) => m.status === 206 || m.status === 200),
      JSON.stringify(media),
    )

    const shot = await page.screenshot({ fullPage: true })
    assert.is(shot.subarray(1, 4).toString('ascii'), 'PNG')
    assert.is(shot.readUInt32BE(16), 800, 'the screenshot is as wide as the viewport')
    assert.ok(
      shot.length > 5_000 && shot.length < 10_000_000,
      `a screenshot of ${shot.length} bytes`,
    )

    // Live: the page's EventSource sees a change the writer makes afterwards.
    await page.waitForFunction(() => window.liveOpen)
    await site.put('/data.json', JSON.stringify({ message: 'changed' }))
    const change = await page.waitForFunction(
      () => window.changes.find((c) => c.path === '/data.json'),
      undefined,
      { timeout: 20_000 },
    )
    assert.equal(await change.jsonValue(), { version: site.version, path: '/data.json' })
    console.log(`media requests: ${JSON.stringify(media)}`)
    await page.close()
  })
}

test.run()
