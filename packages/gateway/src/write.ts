import { toHex, type Drive } from '@dat-sdk/sdk'
import { openDrive, type GatewaySDK, type KeyResolver } from './drives.js'
import { HttpError } from './errors.js'
import { requireTarget } from './paths.js'
import { allowsPath, type Grant } from './tokens.js'

/** Who may write: the grant of a bearer token, and (on a gateway) which `Origin` a drive's writes take. */
export interface Access {
  /** What `token` allows, or null when it is none of ours. */
  grant(token: string): Grant | null
  /**
   * Whether a write to `drive` (named `name` in the request) may come from a page of `origin`; not
   * asked when the request has no `Origin` (a script, the command line). Absent: any origin.
   */
  originAllowed?(origin: string, name: string, drive: Drive): boolean
}

/**
 * A `PUT` (the body becomes the file) or `DELETE` of one file, on a drive this SDK can write, for
 * a request whose bearer token `access` grants it. Answers `{ path, version }` as JSON.
 */
export async function write(
  sdk: GatewaySDK,
  request: Request,
  access: Access,
  timeout: number,
  keys: KeyResolver | null = null,
): Promise<Response> {
  const auth = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')
  if (!auth) {
    throw new HttpError(401, 'UNAUTHORIZED', 'Writes need Authorization: Bearer <token>', {
      'www-authenticate': 'Bearer realm="dat-sdk"',
    })
  }
  const grant = access.grant(auth[1])
  if (!grant) {
    throw new HttpError(401, 'UNAUTHORIZED', 'The token is not one of this gateway', {
      'www-authenticate': 'Bearer realm="dat-sdk", error="invalid_token"',
    })
  }
  if (grant.expires !== null && Date.now() >= grant.expires) {
    throw new HttpError(403, 'FORBIDDEN', 'The token has expired')
  }
  const target = requireTarget(new URL(request.url))
  if (target.version !== null) {
    throw new HttpError(400, 'INVALID_VERSION', 'Only the latest version can be written')
  }
  if (target.folder) throw new HttpError(400, 'INVALID_PATH', 'A write names a file, not a folder')
  if (!allowsPath(grant, target.path)) {
    throw new HttpError(403, 'FORBIDDEN', `The token does not write ${target.path}`)
  }
  const drive = await openDrive(sdk, target.drive, timeout, request.signal, keys)
  if (grant.key !== null && toHex(drive.key!) !== grant.key) {
    throw new HttpError(403, 'FORBIDDEN', 'The token is for another drive')
  }
  const origin = request.headers.get('origin')
  if (
    origin !== null &&
    access.originAllowed &&
    !access.originAllowed(origin, target.drive, drive)
  ) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      `A page of ${origin.slice(0, 200)} cannot write this drive`,
    )
  }
  if (!drive.writable) {
    throw new HttpError(403, 'FORBIDDEN', 'This SDK cannot write that drive')
  }
  const headers = { 'content-type': 'application/json; charset=utf-8' }
  const existed = (await drive.hyperdrive.entry(target.path)) !== null
  if (request.method === 'DELETE') {
    if (!existed) throw new HttpError(404, 'NOT_FOUND', `No file ${target.path} in this drive`)
    await drive.del(target.path)
  } else {
    await putStream(drive, target.path, request.body)
  }
  const body = JSON.stringify({ path: target.path, version: drive.version }) + '\n'
  return new Response(body, { status: existed ? 200 : 201, headers })
}

/** Streams a request body into a drive file, waiting on the drive when it is slower. */
async function putStream(
  drive: Drive,
  path: string,
  body: ReadableStream<Uint8Array> | null,
): Promise<void> {
  const ws = drive.createWriteStream(path)
  const closed = new Promise<void>((resolve, reject) => {
    ws.once('close', resolve)
    ws.once('error', reject)
  })
  closed.catch(noop)
  try {
    if (body) {
      const reader = body.getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        if (!ws.write(value)) {
          await new Promise<void>((resolve, reject) => {
            const ondrain = () => {
              ws.off('error', onerror)
              resolve()
            }
            const onerror = (err: Error) => {
              ws.off('drain', ondrain)
              reject(err)
            }
            ws.once('drain', ondrain)
            ws.once('error', onerror)
          })
        }
      }
    }
    ws.end()
  } catch (err) {
    ws.destroy(err instanceof Error ? err : new Error(String(err)))
    throw new HttpError(400, 'BAD_REQUEST', 'The request body broke off')
  }
  await closed
}

function noop(): void {}
