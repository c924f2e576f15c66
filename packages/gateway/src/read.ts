import { localBlocks, type Drive } from '@dat-sdk/sdk'
import { only, type Answer } from './answer.js'
import { etagOf, matchesEtag, rangeOf, type DriveEntry } from './conditional.js'
import { deadline, openDrive, peerTimeout, type GatewaySDK, type KeyResolver } from './drives.js'
import { HttpError } from './errors.js'
import { listing } from './listing.js'
import { liveResponse } from './live.js'
import { contentType } from './mime.js'
import { joinPath, requireTarget, type Target } from './paths.js'

/** How far a file body is read ahead of the client (bytes): a few of hyperdrive's blocks. */
const READ_AHEAD = 4 * 1024 * 1024

/**
 * A `GET` or `HEAD`: a file (at a version, with ranges and ETags), a folder's `index.html` or its
 * listing, or live changes as server-sent events when the client accepts `text/event-stream`.
 */
export async function read(
  sdk: GatewaySDK,
  request: Request,
  timeout: number,
  opened: { drive: Drive | null } = { drive: null },
  keys: KeyResolver | null = null,
): Promise<Answer> {
  const url = new URL(request.url)
  const target = requireTarget(url)
  if (target.bare) return only(redirect(`${url.pathname}/${url.search}`))
  const accept = request.headers.get('accept') ?? ''
  const drive = await openDrive(sdk, target.drive, timeout, request.signal, keys)
  opened.drive = drive // its answer's CORS headers depend on it, errors included

  if (/\btext\/event-stream\b/i.test(accept)) {
    if (target.version !== null) {
      throw new HttpError(400, 'INVALID_VERSION', 'Live updates follow the latest version')
    }
    if (!target.folder && (await findEntry(drive, target.path, timeout, request.signal))) {
      throw new HttpError(400, 'BAD_REQUEST', 'Live updates are for a drive or a folder in it')
    }
    return only(await liveResponse(drive, target.path, request.signal))
  }

  let view = drive
  if (target.version !== null) {
    if (target.version > drive.version) {
      // A well-formed version the drive has not reached: nothing is there (yet), as for a file.
      throw new HttpError(
        404,
        'NOT_FOUND',
        `Version ${target.version} is ahead of the drive (at ${drive.version})`,
      )
    }
    view = drive.checkout(target.version)
  }
  // A checkout is ours to close: once the answer is built, or once its body has been sent.
  let handedOff = false
  const release = () => {
    if (view !== drive) view.close().catch(noop)
  }
  const file = async (entry: DriveEntry): Promise<Answer> => {
    const blocks = await blocksOf(view, entry)
    const answer = fileResponse(drive, view, entry, target, request, timeout, release, blocks)
    handedOff = answer.file !== null
    return answer
  }
  try {
    const entry = target.folder ? null : await findEntry(view, target.path, timeout, request.signal)
    if (entry) return await file(entry)
    const index = await findEntry(
      view,
      joinPath(target.path, 'index.html'),
      timeout,
      request.signal,
    )
    const names = index ? null : await readdir(view, target.path, timeout, request.signal)
    if (!index && names!.length === 0 && target.path !== '/') {
      throw new HttpError(404, 'NOT_FOUND', `No file or folder ${target.path} in this drive`)
    }
    if (!target.folder) return only(redirect(`${url.pathname}/${url.search}`))
    if (index) return await file(index)
    return only(await listing(view, target, names!, accept, request, timeout))
  } finally {
    if (!handedOff) release()
  }
}

async function findEntry(
  drive: Drive,
  path: string,
  timeout: number,
  signal: AbortSignal,
): Promise<DriveEntry | null> {
  const entry = await deadline(
    drive.hyperdrive.entry(path, { follow: true, timeout }),
    timeout,
    signal,
    peerTimeout(path, timeout),
  )
  // A symlink that leads nowhere (or out of the drive) is no file.
  return entry && (entry.value.linkname === null || entry.value.blob) ? entry : null
}

async function readdir(
  drive: Drive,
  path: string,
  timeout: number,
  signal: AbortSignal,
): Promise<string[]> {
  const collect = async () => {
    const names: string[] = []
    for await (const name of drive.readdir(path)) names.push(name)
    return names
  }
  return deadline(collect(), timeout, signal, peerTimeout(path, timeout))
}

/**
 * A file's blocks, and how many of them are here: hypercore-fetch 8's `X-Blocks` and
 * `X-Blocks-Downloaded`.
 */
async function blocksOf(
  view: Drive,
  entry: DriveEntry,
): Promise<{ blocks: number; local: number } | null> {
  const blob = entry.value.blob
  if (!blob) return { blocks: 0, local: 0 }
  try {
    const blobs = await view.hyperdrive.getBlobs()
    if (!blobs) return null
    const start = blob.blockOffset
    return {
      blocks: blob.blockLength,
      local: localBlocks(blobs.core, start, start + blob.blockLength),
    }
  } catch {
    return null // optional, as hypercore-fetch had it
  }
}

/** A file's answer: `304` when the client's copy is current, else its bytes (or a range of them). */
function fileResponse(
  drive: Drive,
  view: Drive,
  entry: DriveEntry,
  target: Target,
  request: Request,
  timeout: number,
  release: () => void,
  blocks: { blocks: number; local: number } | null,
): Answer {
  const size = entry.value.blob?.byteLength ?? 0
  const etag = etagOf(drive, entry)
  const headers: Record<string, string> = {
    'content-type': contentType(entry.key),
    'accept-ranges': 'bytes',
    etag,
    // A version is immutable; the latest must be checked again each time (the ETag makes it cheap).
    'cache-control': target.version !== null ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  }
  if (blocks) {
    headers['x-blocks'] = String(blocks.blocks)
    headers['x-blocks-downloaded'] = String(blocks.local)
  }
  const ifNoneMatch = request.headers.get('if-none-match')
  if (ifNoneMatch !== null && matchesEtag(ifNoneMatch, etag)) {
    return only(new Response(null, { status: 304, headers }))
  }
  const range = rangeOf(request.headers, etag, size)
  let status = 200
  let start = 0
  let end = size - 1
  if (range) {
    status = 206
    ;({ start, end } = range)
    headers['content-range'] = `bytes ${start}-${end}/${size}`
  }
  headers['content-length'] = String(size === 0 ? 0 : end - start + 1)
  if (request.method === 'HEAD' || size === 0) return only(new Response(null, { status, headers }))
  // Read a few blocks ahead, so the next block is ready while the socket drains the last one.
  const source = view.hyperdrive.createReadStream(entry, {
    start,
    end,
    timeout,
    highWaterMark: READ_AHEAD,
  })
  return { response: new Response(null, { status, headers }), file: { source, release } }
}

function redirect(location: string): Response {
  return new Response(null, { status: 301, headers: { location } })
}

function noop(): void {}
