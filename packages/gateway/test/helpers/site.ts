// The small site the browser test serves: a page, a script, a stylesheet, a PNG and JSON.
import zlib from 'node:zlib'

/** A valid RGB PNG of `width` x `height`, one colour: built by hand (signature, IHDR, IDAT, IEND). */
export function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // colour type: RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3)])
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3)
  const raw = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

export const INDEX_HTML = `<!doctype html>
<html>
<head>
  <meta charset="utf-8">
  <title>A site in a drive</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <h1 id="title">Served from a hyperdrive</h1>
  <img id="logo" src="img/logo.png" alt="logo">
  <p id="data">loading</p>
  <video id="clip" src="media/clip.webm" preload="metadata" muted></video>
  <script src="app.js"></script>
</body>
</html>
`

export const STYLE_CSS = `h1 { color: rgb(200, 30, 60); font-family: sans-serif; }
img { width: 64px; height: 64px; }
video { width: 320px; height: 180px; background: black; }
`

// Fetches JSON from the drive, and follows the drive's changes with an EventSource.
export const APP_JS = `window.changes = []
fetch('data.json')
  .then((res) => res.json())
  .then((data) => { document.getElementById('data').textContent = data.message })
const source = new EventSource('./')
source.onopen = () => { window.liveOpen = true }
source.onmessage = (event) => { window.changes.push(JSON.parse(event.data)) }
`
