/**
 * Tests assert an error's stable `code`, never its message. These say which code a call threw
 * (or a promise rejected with): `'no error'` when it did not fail, `'no code: <error>'` when what
 * it threw has none.
 */
function codeOfError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : `no code: ${String(err)}`
}

/** The code of what `fn` throws, synchronously. */
export function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return codeOfError(err)
  }
  return 'no error'
}

/** The code of what a promise rejects with, or of what an (async) function throws or rejects with. */
export async function rejectionCode(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    return codeOfError(err)
  }
  return 'no error'
}

/** Throws unless `fn` throws an error with this `code`. */
export function assertThrowsCode(fn: () => unknown, code: string): void {
  const got = codeOf(fn)
  if (got !== code) throw new Error(`Expected a throw with code ${code}, got ${got}`)
}

/** Rejects unless the promise (or function) fails with an error with this `code`. */
export async function assertRejectsCode(
  p: Promise<unknown> | (() => unknown),
  code: string,
): Promise<void> {
  const got = await rejectionCode(p)
  if (got !== code) throw new Error(`Expected a rejection with code ${code}, got ${got}`)
}
