// A real Chromium (Debian's, driven by playwright-core) against the gateway: a site from a drive
// renders, fetches, plays video and follows live changes; each drive has an origin of its own
// (storage and cookies do not leak between drives, and do with `subdomains: false`); the path form
// on localhost redirects to it; a seek to the middle of a video fetches the middle. Under CI=true
// a missing Chromium fails the run instead of skipping it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import crypto from 'node:crypto'
import fs from 'node:fs'
import zlib from 'node:zlib'
import { createSDK, toZ32, type SDK, type SDKDrive } from '@dat-sdk/sdk'
import { createTestnet, type LoopbackTestnet } from '@dat-sdk/test-utils'
import { createGateway, type Gateway } from '../src/index.js'
import { APP_JS, INDEX_HTML, STYLE_CSS, png } from './helpers/site.js'
import { seekable } from './helpers/webm.js'

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
  '--force-color-profile=srgb', // screenshot pixels as the page wrote them
]

if (!fs.existsSync(CHROMIUM)) {
  const why = `no Chromium at ${CHROMIUM} (install Debian's chromium package to run it)`
  if (process.env.CI === 'true') {
    // In CI a browser test that cannot run is a failure, not a quiet skip.
    test('a real Chromium is there to drive', () => assert.unreachable(why))
  } else {
    console.log(`SKIPPED: ${why}`)
    test.skip('the page renders, fetches, seeks its video and sees live changes', () => {})
  }
} else {
  type Browser = import('playwright-core').Browser
  type Page = import('playwright-core').Page
  let testnet: LoopbackTestnet
  let writer: SDK
  let reader: SDK
  let gateway: Gateway
  let browser: Browser
  let recording: Buffer

  test.before(async () => {
    const { chromium } = await import('playwright-core')
    testnet = await createTestnet(3)
    writer = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
    reader = await createSDK({ storage: false, bootstrap: testnet.bootstrap })
    gateway = await createGateway(reader)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    recording = await recordVideo()
  })
  test.after(async () => {
    await browser?.close()
    await gateway?.close()
    await reader?.close()
    await writer?.close()
    await testnet?.destroy()
  })

  /** The drive's own origin on `gw`: `http://<z32>.localhost:<port>/`. */
  function originOf(drive: SDKDrive, gw: Gateway = gateway): string {
    return `http://${toZ32(drive.key!)}.localhost:${new URL(gw.url).port}/`
  }

  /**
   * A playable WebM of about 5 MiB: Chromium records 4 s of a canvas of noise (noise compresses
   * badly), with a keyframe every half second, so that a seek has somewhere to land.
   */
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
          videoBitsPerSecond: 12_000_000,
          videoKeyFrameIntervalDuration: 500,
        } as MediaRecorderOptions) // videoKeyFrameIntervalDuration: Chromium's, not in TS's DOM types yet
        const chunks: Blob[] = []
        recorder.ondataavailable = (e) => chunks.push(e.data)
        const image = ctx.createImageData(640, 360)
        const draw = setInterval(() => {
          for (let i = 0; i < image.data.length; i++) image.data[i] = Math.random() * 255
          ctx.putImageData(image, 0, 0)
        }, 33)
        recorder.start(250)
        await new Promise((resolve) => setTimeout(resolve, 4000))
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

  /** The RGB of the pixel at (x, y) of the page, from a 1x1 PNG screenshot of it. */
  async function pixelAt(page: Page, x: number, y: number): Promise<[number, number, number]> {
    const shot = await page.screenshot({ clip: { x, y, width: 1, height: 1 } })
    assert.is(shot.subarray(1, 4).toString('ascii'), 'PNG')
    assert.is(shot.readUInt32BE(16), 1, 'a 1x1 screenshot')
    assert.is(shot[24], 8, '8 bits a channel')
    const idat: Buffer[] = []
    for (let at = 8; at < shot.length;) {
      const length = shot.readUInt32BE(at)
      if (shot.toString('ascii', at + 4, at + 8) === 'IDAT') {
        idat.push(shot.subarray(at + 8, at + 8 + length))
      }
      at += 12 + length
    }
    // One row of one pixel: a filter byte, then the pixel (every PNG filter leaves a lone first
    // pixel as it is: its left and upper neighbours count as zero).
    const row = zlib.inflateSync(Buffer.concat(idat))
    return [row[1], row[2], row[3]]
  }

  test('the page renders on its own origin, fetches, plays its video and sees live changes', async () => {
    const video = recording
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
    const url = originOf(site)
    const main = await page.goto(url)
    assert.is(main?.status(), 200)
    assert.is(page.url(), url)

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
    // and seeks inside what it has; the seek that fetches the middle is the test below.)
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
    // decode, so the check is that the seek moved and settled.
    assert.ok(at > 0.5 && at < 2.6, `the video seeked towards 2.5 s: at ${at} s`)
    assert.ok(
      media.some((m) => m.status === 206 && m.range !== null),
      JSON.stringify(media),
    )
    assert.ok(
      media.every((m) => m.status === 206 || m.status === 200),
      JSON.stringify(media),
    )

    // What was drawn: the logo's blue, read back from the screenshot's pixels, and the page's
    // white beside it.
    const logo = (await page.$eval('#logo', (el) => {
      const r = el.getBoundingClientRect()
      return [r.x, r.y]
    })) as [number, number]
    assert.equal(await pixelAt(page, logo[0] + 32, logo[1] + 32), [20, 120, 220], 'the logo')
    assert.equal(await pixelAt(page, 780, 590), [255, 255, 255], 'the background')

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

    // The path form on localhost: a page's fetch() follows the redirect to the drive's origin
    // (cross-origin, so it takes the drive's CORS header) and gets the file.
    const port = new URL(gateway.url).port
    const gatewayPage = await browser.newPage()
    const home = await gatewayPage.goto(`http://localhost:${port}/`)
    assert.is(home?.status(), 404, 'the gateway has no page of its own')
    const fetched = await gatewayPage.evaluate(
      async (path) => {
        const res = await fetch(path)
        return {
          status: res.status,
          redirected: res.redirected,
          url: res.url,
          text: await res.text(),
        }
      },
      `/hyper/${toZ32(site.key!)}/data.json?x=1`,
    )
    assert.equal(fetched, {
      status: 200,
      redirected: true,
      url: `${originOf(site)}data.json?x=1`,
      text: JSON.stringify({ message: 'changed' }),
    })
    // And from the drive's own page, where the path form on localhost is another origin: the
    // redirect carries CORS, so the fetch follows it too.
    const fromDrive = await page.evaluate(
      async (href) => {
        const res = await fetch(href)
        return { status: res.status, url: res.url, text: await res.text() }
      },
      `http://localhost:${port}/hyper/${toZ32(site.key!)}/data.json`,
    )
    assert.equal(fromDrive, {
      status: 200,
      url: `${originOf(site)}data.json`,
      text: JSON.stringify({ message: 'changed' }),
    })
    await gatewayPage.close()
    await page.close()
  })

  test('a seek to the middle of a video fetches the middle (206 from there) and plays from there', async () => {
    // Clusters 4 MiB apart (the bytes of the middle are far from those of the start), and the
    // video 8 times slower (about 28 s), so that the target is past what is demuxed ahead of play.
    const webm = seekable(recording, 4 * 1024 * 1024, 8)
    assert.ok(webm.clusters.length >= 4, `${webm.clusters.length} clusters (keyframes)`)
    const site = writer.Hyperdrive()
    await site.put(
      '/video.html',
      '<!doctype html><video id="v" src="v.webm" preload="metadata" muted></video>',
    )
    await site.put('/v.webm', webm.bytes)
    await writer.flush(site)

    const page = await browser.newPage()
    const log: Array<{ status: number; range: string | null; answered: string | null }> = []
    page.on('response', (res) => {
      if (res.url().endsWith('/v.webm')) {
        log.push({
          status: res.status(),
          range: res.request().headers()['range'] ?? null,
          answered: res.headers()['content-range'] ?? null,
        })
      }
    })
    await page.goto(`${originOf(site)}video.html`)
    await page.waitForFunction(
      () => (document.getElementById('v') as HTMLVideoElement).readyState >= 1,
      undefined,
      { timeout: 30_000 },
    )
    const duration = await page.$eval('#v', (el) => (el as HTMLVideoElement).duration)
    assert.ok(Math.abs(duration - webm.duration) < 0.1, `duration ${duration} of ${webm.duration}`)

    const i = Math.floor(webm.clusters.length * 0.7)
    const middle = webm.clusters[i]
    const next = webm.clusters[i + 1] ?? { seconds: webm.duration }
    assert.ok(middle.seconds > 12, `a seek to ${middle.seconds} s, past what is demuxed ahead`)
    const target = middle.seconds + 0.5
    const before = log.length
    const at = await page.evaluate(async (t) => {
      const el = document.getElementById('v') as HTMLVideoElement
      const seeked = new Promise((resolve) =>
        el.addEventListener('seeked', resolve, { once: true }),
      )
      el.currentTime = t
      await seeked
      return el.currentTime
    }, target)
    assert.ok(
      at >= middle.seconds && at < next.seconds,
      `the video is at ${at} s, asked ${target} s (a keyframe at ${middle.seconds} s)`,
    )
    // The gateway's answers: a 206 that starts in the middle of the file, at most a cache block
    // (Chromium fetches 32 KiB-aligned blocks) before the cluster the seek lands in. Chromium's
    // probe of the file may fetch that range before the seek (it reads a few clusters ahead, each
    // one a range of its own past the padding); else the seek fetches it. Both are the gateway
    // answering a range in the middle of the file.
    const starts = log
      .filter((r) => r.status === 206 && r.answered !== null)
      .map((r) => Number(/^bytes (\d+)-/.exec(r.answered!)?.[1]))
    console.log(
      `video: ${webm.bytes.length} bytes, cluster at ${middle.offset}; the seek to ${target} s ` +
        `landed at ${at} s; ranges fetched: ${JSON.stringify(starts)} (${log.length - before} after the seek)`,
    )
    assert.ok(
      starts.some((s) => s > 0 && s <= middle.offset && s > middle.offset - 64 * 1024),
      `a 206 from near byte ${middle.offset}: ${JSON.stringify(log)}`,
    )
    assert.ok(
      log.every((r) => r.status === 206),
      `every media answer is a range: ${JSON.stringify(log)}`,
    )
    await page.close()
  })

  /**
   * Drive A (encrypted: no CORS) and drive B, each with a page, on `gw`. A's page stores a
   * secret in localStorage and a cookie; B's page looks for them and fetches A's file.
   */
  async function crossDrive(gw: Gateway, url: (d: SDKDrive) => string) {
    const a = reader.Hyperdrive(undefined, { encryptionKey: crypto.randomBytes(32) })
    const b = reader.Hyperdrive()
    const html = '<!doctype html><title>a drive</title><p>page</p>'
    await a.put('/index.html', html)
    await a.put('/secret.txt', 'only for A')
    await b.put('/index.html', html)
    const context = await browser.newContext()
    try {
      const pageA = await context.newPage()
      assert.is((await pageA.goto(url(a)))?.status(), 200)
      const own = await pageA.evaluate(
        async (secret) => {
          localStorage.setItem('secret', 'from A')
          document.cookie = 'secret=fromA; path=/'
          const res = await fetch(secret)
          return { cookie: document.cookie, text: await res.text() }
        },
        `${url(a)}secret.txt`,
      )
      // The sentinels: A itself has its cookie and reads its own file.
      assert.equal(own, { cookie: 'secret=fromA', text: 'only for A' })
      const pageB = await context.newPage()
      assert.is((await pageB.goto(url(b)))?.status(), 200)
      return await pageB.evaluate(
        async (secret) => {
          let fetched: string
          try {
            fetched = await (await fetch(secret)).text()
          } catch (err) {
            fetched = `blocked: ${(err as Error).name}`
          }
          return { storage: localStorage.getItem('secret'), cookie: document.cookie, fetched }
        },
        `${url(a)}secret.txt`,
      )
    } finally {
      await context.close()
    }
  }

  test("one origin per drive: B's page sees none of A's storage or cookies, and cannot read A without CORS", async () => {
    const seen = await crossDrive(gateway, (d) => originOf(d))
    assert.equal(seen, { storage: null, cookie: '', fetched: 'blocked: TypeError' })
  })

  test('the control, subdomains: false: the same pages share one origin, and everything leaks', async () => {
    const plain = await createGateway(reader, { subdomains: false })
    try {
      const seen = await crossDrive(plain, (d) => `${plain.url}hyper/${toZ32(d.key!)}/`)
      assert.equal(seen, { storage: 'from A', cookie: 'secret=fromA', fetched: 'only for A' })
    } finally {
      await plain.close()
    }
  })
}

test.run()
