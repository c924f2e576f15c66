import type { Drive } from '@dat-sdk/sdk'
import { deadline, peerTimeout } from './drives.js'
import { joinPath, type Target } from './paths.js'

/** A folder's names (`names`, from its `readdir`) as HTML when `accept` asks for it, else JSON. */
export async function listing(
  view: Drive,
  target: Target,
  names: string[],
  accept: string,
  request: Request,
  timeout: number,
): Promise<Response> {
  const items: string[] = []
  for (const name of names.sort()) {
    const isFile = await deadline(
      view.hyperdrive.entry(joinPath(target.path, name), { timeout }),
      timeout,
      request.signal,
      peerTimeout(target.path, timeout),
    )
    items.push(isFile ? name : `${name}/`)
  }
  const headers = { vary: 'Accept', 'cache-control': 'no-cache' }
  if (/\btext\/html\b/i.test(accept)) {
    const title = escapeHtml(`Index of ${target.path === '/' ? '/' : target.path + '/'}`)
    const links = (target.path === '/' ? [] : ['../'])
      .concat(items)
      .map((n) => `<li><a href="${escapeHtml(encodeURI(n))}">${escapeHtml(n)}</a></li>`)
    const html = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n<ul>\n${links.join('\n')}\n</ul></body></html>\n`
    return new Response(request.method === 'HEAD' ? null : html, {
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
    })
  }
  return new Response(request.method === 'HEAD' ? null : JSON.stringify(items) + '\n', {
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
  })
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}
