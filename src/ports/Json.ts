import { Effect } from "effect"
import { DatabaseError } from "./Errors.js"

/**
 * Normalise a document body the way a JSON wire would (undefined dropped, Dates to strings),
 * so every backend stores the same thing; values JSON cannot carry (BigInt, cycles) fail typed.
 */
export const toJsonBody = (operation: string, body: Record<string, unknown>): Effect.Effect<Record<string, unknown>, DatabaseError> =>
  Effect.try({
    try: () => JSON.parse(JSON.stringify(body)) as Record<string, unknown>,
    catch: (cause) => new DatabaseError({ operation, message: `document is not valid JSON: ${String(cause)}`, cause })
  })

/** Keep only `_id`, `_rev` and the named fields. */
export const project = <D extends { readonly _id: string; readonly _rev: string }>(
  doc: D,
  fields: ReadonlyArray<string> | undefined
): D => {
  if (fields === undefined) return doc
  const out: Record<string, unknown> = { _id: doc._id, _rev: doc._rev }
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(doc, field)) out[field] = (doc as Record<string, unknown>)[field]
  }
  return out as D
}
