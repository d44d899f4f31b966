import { createHash } from "node:crypto"
import type { Document } from "../ports/Document.js"

/** A document as it moves between backends: its id and body, without the backend's own `_rev`. */
export type Portable = { readonly _id: string; readonly [field: string]: unknown }

export const portable = (doc: Document | Portable): Portable => {
  const { _rev: _ignored, ...rest } = doc as Document
  return rest
}

const canonicalValue = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonicalValue).join(",")}]`
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalValue((value as Record<string, unknown>)[key])}`)
  return `{${entries.join(",")}}`
}

/**
 * The same text for the same document on every backend: keys sorted at every depth, no `_rev`,
 * no whitespace, numbers in JavaScript's shortest form (so 1.0 from one backend equals 1 from another).
 */
export const canonicalJson = (doc: Document | Portable): string => canonicalValue(portable(doc))

/** sha256 of the canonical JSON, hex. */
export const digestOf = (doc: Document | Portable): string => createHash("sha256").update(canonicalJson(doc)).digest("hex")

/**
 * An order-independent digest of a whole collection: the XOR of its documents' digests, so that it
 * can be computed page by page whatever order each backend lists its documents in.
 */
export const combineDigests = (acc: Buffer, digest: string): Buffer => {
  const next = Buffer.from(digest, "hex")
  for (let i = 0; i < next.length; i++) next[i] = next[i]! ^ (acc[i] ?? 0)
  return next
}

export const emptyDigest = (): Buffer => Buffer.alloc(32)
