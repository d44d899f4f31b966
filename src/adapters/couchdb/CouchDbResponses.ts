import { Effect, Either, ParseResult, Predicate, Schema } from "effect"
import type { Document } from "../../ports/Document.js"
import { DatabaseError } from "../../ports/Errors.js"

// Response shapes, checked rather than trusted, so a proxy or an incompatible server fails typed
// instead of throwing on a missing field.
//
// The shapes read on every call also carry a guard that accepts exactly what the schema accepts,
// without copying: decoding 100 `_all_docs` rows through Schema cost more CPU than nano's whole
// request (bench/port). The guard decides; the schema explains a refusal. test/couchdb/responses
// checks that the two agree.

/** A response schema and a guard that accepts the same values, which then pass through as they are. */
export interface Checked<A> {
  readonly schema: Schema.Schema<A, any>
  readonly is: (u: unknown) => u is A
}

const checked = <A>(schema: Schema.Schema<A, any>, is: (u: unknown) => boolean): Checked<A> => ({
  schema,
  is: is as (u: unknown) => u is A
})

const isString = (u: unknown): u is string => typeof u === "string"
const isOptional = (u: unknown, is: (u: unknown) => boolean) => u === undefined || is(u)
const isArrayOf = (u: unknown, is: (u: unknown) => boolean): boolean => {
  if (!Array.isArray(u)) return false
  for (const item of u) if (!is(item)) return false
  return true
}

const isDocument = (u: unknown): u is Document =>
  typeof u === "object" && u !== null && typeof (u as Document)._id === "string" && typeof (u as Document)._rev === "string"

/** Documents pass through as they are (no copy): only `_id` and `_rev` are checked. */
export const StoredDocument = Schema.Unknown.pipe(Schema.filter(isDocument, { message: () => "expected a document with _id and _rev" }))

export const StoredDocumentResponse = checked(StoredDocument, isDocument)

export const WriteResponse = checked(
  Schema.Struct({ id: Schema.String, rev: Schema.String }),
  (u) => Predicate.isRecord(u) && isString(u.id) && isString(u.rev)
)

export const Session = Schema.Struct({
  userCtx: Schema.Struct({ name: Schema.NullOr(Schema.String), roles: Schema.Array(Schema.String) })
})

/** `_all_docs?include_docs=true` without keys: every row is a live document. */
export const AllDocsPage = checked(
  Schema.Struct({
    rows: Schema.Array(Schema.Struct({ id: Schema.String, doc: StoredDocument }))
  }),
  (u) => Predicate.isRecord(u) && isArrayOf(u.rows, (row) => Predicate.isRecord(row) && isString(row.id) && isDocument(row.doc))
)

/**
 * `_all_docs` with `keys`: a missing id is `{ key, error: "not_found" }`; a deleted one is
 * `{ key, value: { rev, deleted: true }, doc: null }` on CouchDB and `{ key, error }` on pouchdb-server.
 */
export const KeyedRows = checked(
  Schema.Struct({
    rows: Schema.Array(Schema.Struct({
      key: Schema.String,
      value: Schema.optional(Schema.Struct({ rev: Schema.String, deleted: Schema.optional(Schema.Boolean) })),
      doc: Schema.optional(Schema.NullOr(StoredDocument)),
      error: Schema.optional(Schema.String)
    }))
  }),
  (u) =>
    Predicate.isRecord(u) && isArrayOf(u.rows, (row) =>
      Predicate.isRecord(row) && isString(row.key) &&
      isOptional(row.value, (value) => Predicate.isRecord(value) && isString(value.rev) && isOptional(value.deleted, (d) => typeof d === "boolean")) &&
      isOptional(row.doc, (doc) => doc === null || isDocument(doc)) &&
      isOptional(row.error, isString))
)

/** `_bulk_docs`: one entry per document, in request order. */
export const BulkResponse = checked(
  Schema.Array(Schema.Struct({
    id: Schema.optional(Schema.String),
    rev: Schema.optional(Schema.String),
    error: Schema.optional(Schema.String),
    reason: Schema.optional(Schema.String)
  })),
  (u) =>
    isArrayOf(u, (entry) =>
      Predicate.isRecord(entry) && isOptional(entry.id, isString) && isOptional(entry.rev, isString) &&
      isOptional(entry.error, isString) && isOptional(entry.reason, isString))
)

/**
 * `_find`: Apache CouchDB sends a bookmark for the next page; pouchdb-server does not. A `null`
 * in `docs` is a match deleted while the query ran (pouchdb-server sent `{"docs":[null]}` to 14
 * of 200 queries racing a delete): no document, but a row of the page all the same.
 */
export const FindResponse = checked(
  Schema.Struct({
    docs: Schema.Array(Schema.NullOr(StoredDocument)),
    bookmark: Schema.optional(Schema.String)
  }),
  (u) => Predicate.isRecord(u) && isArrayOf(u.docs, (doc) => doc === null || isDocument(doc)) && isOptional(u.bookmark, isString)
)

const refused = (operation: string, error: ParseResult.ParseError) =>
  new DatabaseError({
    operation,
    message: `unexpected answer from CouchDB: ${ParseResult.TreeFormatter.formatErrorSync(error).slice(0, 500)}`,
    cause: error
  })

/** The response as the shape describes it, or a DatabaseError saying where it differs. */
export const decode: {
  <A>(operation: string, shape: Checked<A>): (response: unknown) => Effect.Effect<A, DatabaseError>
  <A, I>(operation: string, schema: Schema.Schema<A, I>): (response: unknown) => Effect.Effect<A, DatabaseError>
} = <A>(operation: string, shape: Checked<A> | Schema.Schema<A, any>) => {
  if (!("is" in shape)) {
    const decodeUnknown = Schema.decodeUnknown(shape)
    return (response: unknown): Effect.Effect<A, DatabaseError> =>
      Effect.mapError(decodeUnknown(response), (error) => refused(operation, error))
  }
  const explain = Schema.decodeUnknownEither(shape.schema)
  return (response: unknown): Effect.Effect<A, DatabaseError> => {
    if (shape.is(response)) return Effect.succeed(response)
    const decoded = explain(response)
    // Only a guard stricter than its schema gets here with a Right: trust the schema's answer then.
    return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(refused(operation, decoded.left))
  }
}
