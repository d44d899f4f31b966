import { Predicate } from "effect"
import { inexactIntegerPath } from "../app/http/inexactInteger.js"
import { canonicalJson, type Portable, portable } from "./Canonical.js"
import { type Line, MAX_LINE_CHARS } from "./Files.js"

/**
 * The exchange format: one JSON object a line, `{"collection":"agents","document":{...}}`, the
 * document in canonical form (sorted keys, `_id`, no `_rev`), so that two exports of the same data
 * from any two backends are the same bytes once sorted.
 */
export const toLine = (collection: string, doc: Portable): string =>
  `{"collection":${JSON.stringify(collection)},"document":${canonicalJson(doc)}}\n`

export type ParsedLine =
  | { readonly _tag: "Document"; readonly collection: string; readonly document: Portable }
  | { readonly _tag: "Unreadable"; readonly collection: string; readonly id: string; readonly reason: string }


/** A line of the file; one that is not a document names its line number instead of an id. */
export const parseLine = (text: Line, lineNumber: number): ParsedLine => {
  const unreadable = (reason: string, collection = "(unreadable)") => ({
    _tag: "Unreadable" as const,
    collection,
    id: `line ${lineNumber}`,
    reason
  })
  if (typeof text !== "string") return unreadable(`longer than ${MAX_LINE_CHARS} characters (${text.length}): no backend stores a document that large`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return unreadable(`not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!Predicate.isRecord(value) || typeof value.collection !== "string") return unreadable("expected {\"collection\": ..., \"document\": {...}}")
  // JSON.parse rounds an integer beyond 2^53 without a word; the HTTP API refuses one, and so do we.
  const inexact = inexactIntegerPath(text)
  if (inexact !== undefined) {
    return unreadable(`an integer beyond 2^53 at ${inexact}, which would not be kept as written: write it as a string`, value.collection)
  }
  const document = value.document
  if (!Predicate.isRecord(document) || typeof document._id !== "string") {
    return unreadable("the document must be an object with a string _id", value.collection)
  }
  // A `_rev` (from a CouchDB dump, say) would make the write conditional on a revision the target
  // never had: a "conflict" for a document that is not there. Imports are not conditional.
  return { _tag: "Document", collection: value.collection, document: portable(document as Portable) }
}
