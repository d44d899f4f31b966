// Every escape that can spell one of the characters of "__proto__" ("_", "p", "r", "o", "t").
const ESCAPED_PROTO_CHARACTER = /\\u00(?:5[fF]|6[fF]|7[0-4])/

const pathOf = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`)

const protoKeyIn = (value: unknown, path: string): string | undefined => {
  if (value === null || typeof value !== "object") return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = protoKeyIn(value[i], `${path}[${i}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") return pathOf(path, key)
    const found = protoKeyIn((value as Record<string, unknown>)[key], pathOf(path, key))
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Where a JSON text holds an object key "__proto__", or `undefined`. JSON.parse keeps such a key
 * as data, but the schemas that decode a body build their objects by assignment, where it sets a
 * prototype instead: an agent's `tools` or a record's `metadata` lost it without a word while a
 * record's `value`, checked by the port, was refused. Parsed only when the text could hold the key
 * (literally, or spelled with escapes of its letters), so ordinary bodies cost one search.
 */
export const protoKeyPath = (text: string): string | undefined => {
  if (!text.includes("__proto__") && !ESCAPED_PROTO_CHARACTER.test(text)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined // not JSON: the platform's parse answers that
  }
  return protoKeyIn(parsed, "")
}
