/** DynamoDB's maximum item size: names and values of every attribute, including `_id` and `_rev`. */
export const MAX_ITEM_BYTES = 400 * 1024

// DynamoDB numbers: magnitudes from 1E-130 up to 9.99…E+125 (38 digits); the nearest double above is 1e126.
const MIN_MAGNITUDE = 1e-130
const MAX_MAGNITUDE = 1e126

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

const outOfRange = (value: unknown): number | undefined => {
  if (typeof value === "number") {
    const magnitude = Math.abs(value)
    return magnitude >= MAX_MAGNITUDE || (magnitude > 0 && magnitude < MIN_MAGNITUDE) ? value : undefined
  }
  if (value === null || typeof value !== "object") return undefined
  for (const child of Object.values(value)) {
    const found = outOfRange(child)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Why DynamoDB would refuse the item (too big, or a number it cannot hold), checked by its documented
 * rules so that one bad document is refused with a clear message instead of failing a whole batch
 * of 25. The server still has the last word.
 */
export const itemProblem = (item: Record<string, unknown>): string | undefined => {
  const size = attributesSize(item)
  if (size > MAX_ITEM_BYTES) {
    return `the document is ${Math.ceil(size / 1024)} KB, over DynamoDB's ${MAX_ITEM_BYTES / 1024} KB item limit`
  }
  const number = outOfRange(item)
  return number === undefined
    ? undefined
    : `the number ${number} is out of DynamoDB's range (magnitudes from 1e-130 to below 1e126)`
}
