import { Effect } from "effect"
import type { DocumentInput, FindOptions, Selector } from "./Document.js"
import { InvalidName } from "./Errors.js"

// The union of what CouchDB (database names), DynamoDB (table names, at least 3 characters)
// and Firestore (collection ids) accept, so that a name valid here is valid on every backend.
const COLLECTION = /^[a-z][a-z0-9_-]{2,63}$/
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,99}$/
// Control characters break URLs (CouchDB) and log lines.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/
const MAX_ID_BYTES = 512

export const collectionProblem = (name: string): string | undefined =>
  COLLECTION.test(name)
    ? undefined
    : "must be 3 to 64 characters: a lowercase letter, then lowercase letters, digits, '_' or '-'"

export const idProblem = (id: string): string | undefined => {
  if (typeof id !== "string" || id.length === 0) return "must not be empty"
  if (Buffer.byteLength(id, "utf8") > MAX_ID_BYTES) return `must be at most ${MAX_ID_BYTES} bytes`
  if (id.startsWith("_")) return "must not start with '_' (reserved by CouchDB)"
  if (id.includes("/")) return "must not contain '/' (a path separator in Firestore)"
  if (id === "." || id === "..") return "must not be '.' or '..'"
  if (/^__.*__$/.test(id)) return "must not look like '__name__' (reserved by Firestore)"
  if (CONTROL.test(id)) return "must not contain control characters"
  return undefined
}

export const fieldProblem = (field: string): string | undefined =>
  FIELD.test(field) ? undefined : "must be a letter followed by up to 99 letters, digits or '_'"

const invalidCollection = (collection: string): InvalidName | undefined => {
  const reason = collectionProblem(collection)
  return reason === undefined ? undefined : new InvalidName({ kind: "collection", value: String(collection), reason })
}

const invalidId = (id: string): InvalidName | undefined => {
  const reason = idProblem(id)
  return reason === undefined ? undefined : new InvalidName({ kind: "id", value: String(id), reason })
}

export const validateCollection = (collection: string): Effect.Effect<string, InvalidName> => {
  const problem = invalidCollection(collection)
  return problem === undefined ? Effect.succeed(collection) : Effect.fail(problem)
}

export const validateId = (id: string): Effect.Effect<string, InvalidName> => {
  const problem = invalidId(id)
  return problem === undefined ? Effect.succeed(id) : Effect.fail(problem)
}

/** Why a collection and id would be refused, collection first, if they would. */
export const keyProblem = (collection: string, id: string): InvalidName | undefined => invalidCollection(collection) ?? invalidId(id)

export const validateKey = (collection: string, id: string): Effect.Effect<void, InvalidName> => {
  const problem = keyProblem(collection, id)
  return problem === undefined ? Effect.void : Effect.fail(problem)
}

const validateFieldNames = (fields: Iterable<string>): Effect.Effect<void, InvalidName> => {
  for (const field of fields) {
    const reason = fieldProblem(field)
    if (reason !== undefined) return Effect.fail(new InvalidName({ kind: "field", value: field, reason }))
  }
  return Effect.void
}

/** A top-level field of a stored document may not start with '_': CouchDB reserves those names. */
export const documentProblem = (doc: DocumentInput): InvalidName | undefined => {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return new InvalidName({ kind: "field", value: "(document)", reason: "a document must be a JSON object" })
  }
  for (const key of Object.keys(doc)) {
    if (key === "_id" || key === "_rev") continue
    if (key.length === 0 || key.startsWith("_")) {
      return new InvalidName({ kind: "field", value: key, reason: "top-level fields must not be empty or start with '_'" })
    }
  }
  return undefined
}

/** Why one document of a bulk save would be refused (its id or its fields), if it would. */
export const bulkDocumentProblem = (doc: DocumentInput & { readonly _id: string }): string | undefined =>
  idProblem(doc._id) ?? documentProblem(doc)?.message

export const validateQuery = (
  collection: string,
  selector: Selector,
  options?: FindOptions
): Effect.Effect<void, InvalidName> =>
  Effect.all([
    validateCollection(collection),
    validateFieldNames(Object.keys(selector)),
    validateFieldNames(options?.fields ?? []),
    options?.after === undefined ? Effect.void : validateId(options.after)
  ], { discard: true })

export const validateIndex = (collection: string, fields: ReadonlyArray<string>): Effect.Effect<void, InvalidName> =>
  Effect.zipRight(validateCollection(collection), validateFieldNames(fields))

/** The revision a conditional write expects: the option wins over the document's `_rev`. */
export const expectedRevOf = (doc: DocumentInput, expectedRev: string | undefined): string | undefined =>
  expectedRev ?? (typeof doc._rev === "string" ? doc._rev : undefined)
