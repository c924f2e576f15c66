// What the SDK's parts show when inspected (`console.log(part)`): a few public fields, never
// their internals, which hold an encrypted part's key.

/** `Name { field: value, ... }`. */
export function summary(name: string, fields: Record<string, string | number | boolean | null>) {
  const shown = Object.entries(fields).map(([k, v]) => `${k}: ${String(v)}`)
  return `${name} { ${shown.join(', ')} }`
}
