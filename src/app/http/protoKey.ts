import { firstKeyPath, parsedOrUndefined } from "./jsonPath.js"

// Every escape that can spell one of the characters of "__proto__" ("_", "p", "r", "o", "t").
const ESCAPED_PROTO_CHARACTER = /\\u00(?:5[fF]|6[fF]|7[0-4])/

const isProtoKey = (key: string) => key === "__proto__"

/**
 * Where a JSON text holds an object key "__proto__", or `undefined`. JSON.parse keeps such a key
 * as data, but the schemas that decode a body build their objects by assignment, where it sets a
 * prototype instead: an agent's `tools` or a record's `metadata` lost it without a word while a
 * record's `value`, checked by the port, was refused. Parsed only when the text could hold the key
 * (literally, or spelled with escapes of its letters), so ordinary bodies cost one search.
 */
export const protoKeyPath = (text: string): string | undefined => {
  if (!text.includes("__proto__") && !ESCAPED_PROTO_CHARACTER.test(text)) return undefined
  const parsed = parsedOrUndefined(text)
  return parsed === undefined ? undefined : firstKeyPath(parsed, isProtoKey)
}
