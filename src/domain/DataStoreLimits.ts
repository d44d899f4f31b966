import { hasLoneSurrogate, MAX_DOCUMENT_BYTES } from "../ports/DocumentLimits.js"
import { InvalidRecord, RecordTooLarge } from "./DataRecord.js"

/**
 * Bytes of a namespace and of a key. Firestore indexes a string of up to 1,500 bytes, counting its
 * UTF-8 bytes plus one, and refuses a query on a longer one: a namespace, which every listing
 * queries on, holds at most 1,499 (one of 1,500 was stored, then every listing of it ran into the
 * timeout: the SDK never returned the emulator's INVALID_ARGUMENT). A key is never queried on.
 */
export const MAX_NAME_BYTES = { namespace: 1499, key: 1500 } as const

/** Bytes of JSON in a stored record: the document limit every backend of the port shares. */
export const MAX_RECORD_BYTES = MAX_DOCUMENT_BYTES

/** Nesting of a value or of metadata as Firestore counts it (an array directly in an array twice). */
export const MAX_DEPTH = 20

// DynamoDB numbers: magnitudes from 1e-130 to below 1e126.
const outOfRange = (n: number) => {
  const magnitude = Math.abs(n)
  return magnitude >= 1e126 || (magnitude > 0 && magnitude < 1e-130)
}

const depthProblem = (value: unknown, insideArray: boolean, depth: number): string | undefined => {
  if (typeof value === "number") return outOfRange(value) ? `the number ${value} is out of the range every backend stores` : undefined
  if (value === null || typeof value !== "object") return undefined
  const level = depth + (Array.isArray(value) && insideArray ? 2 : 1)
  if (level > MAX_DEPTH) return `it nests deeper than ${MAX_DEPTH} levels (an array directly inside an array counts twice)`
  for (const child of Object.values(value)) {
    const problem = depthProblem(child, Array.isArray(value), level)
    if (problem !== undefined) return problem
  }
  return undefined
}

export const nameProblem = (what: "namespace" | "key", name: unknown): InvalidRecord | undefined => {
  if (typeof name !== "string" || name.length === 0) return new InvalidRecord({ reason: `the ${what} must be a non-empty string` })
  if (hasLoneSurrogate(name)) return new InvalidRecord({ reason: `the ${what} holds a lone surrogate (not valid Unicode)` })
  if (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES[what]) {
    return new InvalidRecord({ reason: `the ${what} must be at most ${MAX_NAME_BYTES[what]} bytes of UTF-8` })
  }
  return undefined
}

export const valueProblem = (key: string, value: unknown, metadata: unknown): InvalidRecord | undefined => {
  if (value === undefined) return new InvalidRecord({ reason: `record '${key.slice(0, 80)}' has no value` })
  const inValue = depthProblem(value, false, 0)
  const problem = inValue ?? depthProblem(metadata, false, 0)
  const part = inValue === undefined ? "metadata" : "value"
  return problem === undefined ? undefined : new InvalidRecord({ reason: `the ${part} of '${key.slice(0, 80)}' cannot be stored: ${problem}` })
}

/** Bytes of a value's JSON (0 for what JSON cannot write): what a namespace's size adds up. */
export const jsonBytes = (value: unknown): number => {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8")
  } catch {
    return 0
  }
}

/** The record's JSON size, or the failure when it is over the limit. */
export const sizeProblem = (key: string, body: Record<string, unknown>): RecordTooLarge | undefined => {
  const bytes = Buffer.byteLength(JSON.stringify(body), "utf8")
  return bytes > MAX_RECORD_BYTES ? new RecordTooLarge({ key, bytes, limit: MAX_RECORD_BYTES }) : undefined
}
