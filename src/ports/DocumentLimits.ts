import type { InvalidDocument } from "./Errors.js"

/**
 * The one document limit of every backend, so that a document is stored everywhere or nowhere.
 * Bytes of JSON: the worst case of DynamoDB's accounting (1.5 times JSON for lists of digits) and
 * of Firestore's (8 bytes a number, 4 times JSON) stays under their 400 KB and 1 MiB items.
 */
export const MAX_DOCUMENT_BYTES = 200 * 1024
/** Firestore's limit, counted its way (an array directly inside an array takes two levels); DynamoDB allows 32. */
export const MAX_DEPTH = 20
/**
 * Values (every field, map and list element, at any depth) in one document. Firestore indexes each
 * value at most twice (ascending and descending, or one array-contains entry per element) and
 * refuses a document over 40,000 index entries; this cap keeps a document's own entries under
 * 32,000, leaving room for the entries of composite indexes made by ensureIndex.
 */
export const MAX_VALUES = 16_000
// DynamoDB numbers: magnitudes from 1e-130 up to below 1e126.
export const MIN_MAGNITUDE = 1e-130
const MAX_MAGNITUDE = 1e126
// Object-building code (the AWS SDK's marshaller among it) assigns keys one by one, and an
// assignment to `__proto__` replaces a prototype instead of storing a key.
const FORBIDDEN_KEYS = new Set(["__proto__"])
const LONE_SURROGATE = /\p{Cs}/u

/** A string no backend stores as it is: a UTF-16 surrogate without its pair is not Unicode. */
export const hasLoneSurrogate = (text: string): boolean => LONE_SURROGATE.test(text)

export type LimitProblem = { readonly limit: InvalidDocument["limit"]; readonly reason: string }

class NonFinite {
  constructor(readonly path: string) {}
}

const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)

const TOO_MANY_VALUES: LimitProblem = {
  limit: "count",
  reason: `it holds more than ${MAX_VALUES} values (fields and list elements at every depth), more than Firestore indexes in one document`
}

const valueProblem = (value: unknown, insideArray: boolean, depth: number, count: { values: number }): LimitProblem | undefined => {
  if (++count.values > MAX_VALUES) return TOO_MANY_VALUES
  if (typeof value === "string") {
    return hasLoneSurrogate(value)
      ? { limit: "value", reason: "a string holds a lone UTF-16 surrogate, which is not valid Unicode" }
      : undefined
  }
  if (typeof value === "number") {
    const magnitude = Math.abs(value)
    return magnitude >= MAX_MAGNITUDE || (magnitude > 0 && magnitude < MIN_MAGNITUDE)
      ? { limit: "value", reason: `the number ${value} is outside the range every backend stores (magnitudes 1e-130 to below 1e126)` }
      : undefined
  }
  if (value === null || typeof value !== "object") return undefined
  const level = depth + (Array.isArray(value) && insideArray ? 2 : 1)
  if (level > MAX_DEPTH) {
    return { limit: "depth", reason: `it nests deeper than ${MAX_DEPTH} levels (an array directly inside an array counts twice)` }
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = valueProblem(item, true, level, count)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  for (const [key, item] of Object.entries(value)) {
    const problem = keyProblem(key) ?? valueProblem(item, false, level, count)
    if (problem !== undefined) return problem
  }
  return undefined
}

const keyProblem = (key: string): LimitProblem | undefined => {
  if (FORBIDDEN_KEYS.has(key)) return { limit: "key", reason: `the key ${shown(key)} is not stored by every backend` }
  if (hasLoneSurrogate(key)) return { limit: "key", reason: "a key holds a lone UTF-16 surrogate, which is not valid Unicode" }
  return undefined
}

const rejectNonFinite = (key: string, value: unknown) => {
  if (typeof value === "number" && !Number.isFinite(value)) throw new NonFinite(key)
  return value
}

/**
 * The body as every backend stores it (normalised the way a JSON wire would: undefined dropped,
 * Dates to strings), or why no backend may store it. Values JSON cannot carry (BigInt, cycles)
 * and non-finite numbers, which JSON would silently turn into null, are refused.
 *
 * `doc` is the whole document: its `_id` and `_rev` are not part of the body.
 */
export const storedBody = (
  doc: Readonly<Record<string, unknown>>
): { readonly body: Record<string, unknown> } | LimitProblem => {
  const walk: Walk = { values: 0, jsonBytesAtMost: 0 }
  // Counted as storedBodyByJson counts: the document itself is one of the values.
  const copy = plainFields(doc, 0, walk, true)
  if (copy !== NOT_PLAIN) {
    // The bound settles every document under a sixth of the limit; only a larger one is measured as JSON.
    if (walk.jsonBytesAtMost <= MAX_DOCUMENT_BYTES) return { body: copy }
    if (Buffer.byteLength(JSON.stringify(copy), "utf8") <= MAX_DOCUMENT_BYTES) return { body: copy }
  }
  return storedBodyByJson(bodyWithoutKeys(doc))
}

const bodyWithoutKeys = (doc: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const { _id: _ignoredId, _rev: _ignoredRev, ...body } = doc
  return body
}

/**
 * What `storedBody` answers, by its definition: through JSON text and back, then checked. Every
 * document goes this way that the one-walk copy below cannot vouch for, so refusals and unusual
 * values (toJSON, boxed primitives, holes) get exactly its answers.
 */
export const storedBodyByJson = (
  body: Record<string, unknown>
): { readonly body: Record<string, unknown> } | LimitProblem => {
  let json: string
  try {
    json = JSON.stringify(body, rejectNonFinite)
  } catch (error) {
    return error instanceof NonFinite
      ? { limit: "value", reason: `the number at ${shown(error.path)} is not finite (NaN or Infinity have no JSON form)` }
      : { limit: "value", reason: `it is not JSON: ${String(error).slice(0, 200)}` }
  }
  const bytes = Buffer.byteLength(json, "utf8")
  if (bytes > MAX_DOCUMENT_BYTES) {
    return { limit: "size", reason: `it is ${bytes} bytes of JSON, over the limit of ${MAX_DOCUMENT_BYTES}` }
  }
  const parsed = JSON.parse(json) as Record<string, unknown>
  // The document itself is not a value of its own: count from -1.
  return valueProblem(parsed, false, -1, { values: -1 }) ?? { body: parsed }
}

/**
 * The values met so far, and at most how many bytes of JSON they take: each UTF-16 unit of a
 * string or key is at most 6 bytes (`\u001f`; 3 in UTF-8 otherwise), a number at most 25 characters.
 */
interface Walk {
  values: number
  jsonBytesAtMost: number
}

/** What storedBody's one walk cannot vouch for: the document goes the JSON way. */
const NOT_PLAIN = Symbol("not plain")

/**
 * The body's JSON round trip in one walk, for documents made only of plain objects, arrays,
 * strings, finite numbers, booleans and null within every limit; NOT_PLAIN for anything else.
 * The round trip itself (stringify with a replacer, parse, then a walk for the limits) was the
 * dearest part of a save after the Effect steps around it, and measuring the copy as JSON the
 * next (bench/http/instructionBench.ts), hence the bound.
 *
 * An object's fields, undefined ones left out as JSON leaves them; at the top, without `_id` and `_rev`.
 */
const plainFields = (
  value: Readonly<Record<string, unknown>>,
  level: number,
  walk: Walk,
  top: boolean
): Record<string, unknown> | typeof NOT_PLAIN => {
  const out: Record<string, unknown> = {}
  walk.jsonBytesAtMost += 2
  for (const field of Object.keys(value)) {
    if (top && (field === "_id" || field === "_rev")) continue
    const item = value[field]
    if (item === undefined) continue
    // The key in quotes, a colon and a comma.
    walk.jsonBytesAtMost += 6 * field.length + 4
    const copied = plainValue(field, item, false, level, walk)
    if (copied === NOT_PLAIN) return NOT_PLAIN
    out[field] = copied
  }
  return out
}

const plainValue = (key: string, value: unknown, insideArray: boolean, depth: number, walk: Walk): unknown => {
  if (++walk.values > MAX_VALUES || FORBIDDEN_KEYS.has(key) || hasLoneSurrogate(key)) return NOT_PLAIN
  switch (typeof value) {
    case "string":
      walk.jsonBytesAtMost += 6 * value.length + 2
      return hasLoneSurrogate(value) ? NOT_PLAIN : value
    case "number": {
      walk.jsonBytesAtMost += 25
      const magnitude = Math.abs(value)
      if (!(magnitude < MAX_MAGNITUDE) || (magnitude > 0 && magnitude < MIN_MAGNITUDE)) return NOT_PLAIN
      // JSON has no negative zero.
      return value === 0 ? 0 : value
    }
    case "boolean":
      walk.jsonBytesAtMost += 5
      return value
    case "object": {
      walk.jsonBytesAtMost += 4
      if (value === null) return null
      const level = depth + (insideArray && Array.isArray(value) ? 2 : 1)
      if (level > MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === "function") return NOT_PLAIN
      if (Array.isArray(value)) {
        const out: Array<unknown> = new Array(value.length)
        // Brackets and a comma after each element.
        walk.jsonBytesAtMost += value.length
        for (let i = 0; i < value.length; i++) {
          // A hole or an undefined element (JSON's null) is not plain: rare enough for the JSON way.
          const copied = plainValue("", value[i], true, level, walk)
          if (copied === NOT_PLAIN) return NOT_PLAIN
          out[i] = copied
        }
        return out
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN
      return plainFields(value as Record<string, unknown>, level, walk, false)
    }
    default:
      return NOT_PLAIN
  }
}
