/** DynamoDB's maximum item size: names and values of every attribute, including `_id` and `_rev`. */
export const MAX_ITEM_BYTES = 400 * 1024

const utf8 = (text: string) => Buffer.byteLength(text, "utf8")

// About one byte per two significant digits plus one; toExponential() gives the shortest digits.
const numberSize = (n: number): number => {
  if (n === 0) return 1
  const digits = Math.abs(n).toExponential().split("e")[0]!.replace(".", "").length
  return 1 + Math.ceil(digits / 2)
}

const valueSize = (value: unknown): number => {
  if (typeof value === "string") return utf8(value)
  if (typeof value === "number") return numberSize(value)
  if (value === null || typeof value === "boolean") return 1
  // Lists and maps: 3 bytes of overhead plus one byte per element.
  if (Array.isArray(value)) return value.reduce((sum: number, element) => sum + 1 + valueSize(element), 3)
  if (typeof value === "object") return 3 + Object.keys(value).length + attributesSize(value as Record<string, unknown>)
  return 0
}

const attributesSize = (attributes: Record<string, unknown>): number =>
  Object.entries(attributes).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0)

/**
 * Why the item is too big for DynamoDB, by its documented size rules, so that an oversized document
 * is refused with a clear message before a whole batch of 25 fails for its sake. The server still
 * has the last word.
 */
export const oversizeReason = (item: Record<string, unknown>): string | undefined => {
  const size = attributesSize(item)
  return size > MAX_ITEM_BYTES
    ? `the document is ${Math.ceil(size / 1024)} KB, over DynamoDB's ${MAX_ITEM_BYTES / 1024} KB item limit`
    : undefined
}
