import { Schema } from "effect"
import { hasLoneSurrogate } from "../ports/DocumentLimits.js"

/** Any JSON value the platform stores without interpreting it (schemas of tools, model configs…). */
export const JsonValue = Schema.Unknown.annotations({ identifier: "JsonValue", description: "any JSON value" })

export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonObject"
})

/**
 * Text a backend can store: no UTF-16 surrogate without its pair. For fields that are stored or
 * counted after the request has been answered (a token's name, an agent's name on a read), where
 * the document limits would refuse them too late or as a database failure.
 */
export const WellFormedString = Schema.String.pipe(
  Schema.filter((text) => !hasLoneSurrogate(text) || "holds a lone UTF-16 surrogate, which is not valid Unicode")
)

/** An optional field that JSON clients may also send as null. */
export const optionalNullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/**
 * Server-managed fields of every stored entity. The timestamps are optional on the way out:
 * documents another writer made (Gofannon's own) may have none that docport can read.
 */
export const StoredFields = {
  _id: Schema.String,
  _rev: Schema.String,
  createdAt: Schema.optional(Schema.String),
  updatedAt: Schema.optional(Schema.String),
  /** uid of the user who created / last changed it (absent on documents written before sign-in existed). */
  createdBy: Schema.optional(Schema.String),
  updatedBy: Schema.optional(Schema.String)
}

/**
 * A stored document brought into the shape the UI reads, copied only when something changes:
 * `fill` sets what is missing through `set`, after Gofannon's snake_case timestamps are read as
 * `createdAt`/`updatedAt`. Returns the document itself when nothing needs filling in.
 */
export const normaliseStored = <D extends Record<string, unknown>>(
  doc: D,
  fill: (set: (field: string, value: unknown) => void) => void
): D => {
  let out: Record<string, unknown> | undefined
  const set = (field: string, value: unknown) => {
    // Object.assign, not `{ ...doc }`: on Node 20 a spread copy that then gains a field gets a V8
    // map of its own, a new one for every document read (see MemoryDatabase.ts).
    out ??= Object.assign({}, doc)
    out[field] = value
  }
  if (doc.createdAt === undefined && typeof doc.created_at === "string") set("createdAt", doc.created_at)
  if (doc.updatedAt === undefined && typeof doc.updated_at === "string") set("updatedAt", doc.updated_at)
  fill(set)
  return (out ?? doc) as D
}
