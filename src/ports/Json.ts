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
