import { Effect, ParseResult, Schema } from "effect"
import type { Document } from "../../ports/Document.js"
import { DatabaseError } from "../../ports/Errors.js"

// Response shapes, checked rather than trusted, so a proxy or an incompatible server fails typed
// instead of throwing on a missing field.

const isDocument = (u: unknown): u is Document =>
  typeof u === "object" && u !== null && typeof (u as Document)._id === "string" && typeof (u as Document)._rev === "string"

/** Documents pass through as they are (no copy): only `_id` and `_rev` are checked. */
export const StoredDocument = Schema.Unknown.pipe(Schema.filter(isDocument, { message: () => "expected a document with _id and _rev" }))

export const WriteResponse = Schema.Struct({ id: Schema.String, rev: Schema.String })

export const Session = Schema.Struct({
  userCtx: Schema.Struct({ name: Schema.NullOr(Schema.String), roles: Schema.Array(Schema.String) })
})

/** `_all_docs?include_docs=true` without keys: every row is a live document. */
export const AllDocsPage = Schema.Struct({
  rows: Schema.Array(Schema.Struct({ id: Schema.String, doc: StoredDocument }))
})

/**
 * `_all_docs` with `keys`: a missing id is `{ key, error: "not_found" }`; a deleted one is
 * `{ key, value: { rev, deleted: true }, doc: null }` on CouchDB and `{ key, error }` on pouchdb-server.
 */
export const KeyedRows = Schema.Struct({
  rows: Schema.Array(Schema.Struct({
    key: Schema.String,
    value: Schema.optional(Schema.Struct({ rev: Schema.String, deleted: Schema.optional(Schema.Boolean) })),
    doc: Schema.optional(Schema.NullOr(StoredDocument)),
    error: Schema.optional(Schema.String)
  }))
})

/** `_bulk_docs`: one entry per document, in request order. */
export const BulkResponse = Schema.Array(Schema.Struct({
  id: Schema.optional(Schema.String),
  rev: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String)
}))

/** `_find`: Apache CouchDB sends a bookmark for the next page; pouchdb-server does not. */
export const FindResponse = Schema.Struct({
  docs: Schema.Array(StoredDocument),
  bookmark: Schema.optional(Schema.String)
})

export const decode = <A, I>(operation: string, schema: Schema.Schema<A, I>) => {
  const decodeUnknown = Schema.decodeUnknown(schema)
  return (response: unknown): Effect.Effect<A, DatabaseError> =>
    Effect.mapError(decodeUnknown(response), (error) =>
      new DatabaseError({
        operation,
        message: `unexpected answer from CouchDB: ${ParseResult.TreeFormatter.formatErrorSync(error).slice(0, 500)}`,
        cause: error
      }))
}
