import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { DatabaseService, type DatabaseServiceShape } from "../ports/DatabaseService.js"
import { bulkFailure, type BulkResult, DEFAULT_PAGE_SIZE, type Document, type DocumentInput } from "../ports/Document.js"
import { Conflict, type DatabaseError, NotFound } from "../ports/Errors.js"
import { project, toJsonBody } from "../ports/Json.js"
import {
  bodyOf,
  bulkDocumentProblem,
  expectedRevOf,
  idProblem,
  validateCollection,
  validateDocument,
  validateId,
  validateIndex,
  validateKey,
  validateQuery
} from "../ports/Validation.js"

type Table = Map<string, Document>

// A span's call-site stack trace costs more than the operation it wraps here (an Error per call).
const span = (operation: string) => Effect.withSpan(`Memory.${operation}`, { captureStackTrace: false })

const deepFreeze = <A>(value: A): A => {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/**
 * The in-memory backend. Each operation runs synchronously inside one Effect.sync, so a
 * check-and-write can never interleave with another fiber's: compare-and-swap is exact.
 * Stored documents are frozen copies, so callers can share them without cloning on read.
 */
export const make = Effect.sync((): DatabaseServiceShape => {
  const tables = new Map<string, Table>()
  // Each collection's ids in order, for find's paging; dropped whenever an id comes or goes.
  const orderedIds = new Map<string, ReadonlyArray<string>>()
  let writes = 0

  const idsInOrder = (collection: string): ReadonlyArray<string> => {
    let ids = orderedIds.get(collection)
    if (ids === undefined) {
      ids = Array.from(tables.get(collection)?.keys() ?? []).sort()
      orderedIds.set(collection, ids)
    }
    return ids
  }

  /** The position of the first id greater than `after`. */
  const startAfter = (ids: ReadonlyArray<string>, after: string): number => {
    let low = 0
    let high = ids.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (ids[middle]! <= after) low = middle + 1
      else high = middle
    }
    return low
  }

  const table = (collection: string): Table => {
    let t = tables.get(collection)
    if (t === undefined) {
      t = new Map()
      tables.set(collection, t)
    }
    return t
  }

  // A revision is "<generation>-<process-wide write counter>": never reused, even after a delete.
  const nextRev = (previous: string | undefined): string => {
    const generation = previous === undefined ? 1 : Number.parseInt(previous, 10) + 1
    writes += 1
    return `${generation}-${writes.toString(16).padStart(8, "0")}`
  }

  const write = (
    collection: string,
    id: string,
    body: Record<string, unknown>,
    create: boolean,
    expected: string | undefined
  ): string | undefined => {
    const t = table(collection)
    const existing = t.get(id)
    if (create && existing !== undefined) return undefined
    if (expected !== undefined && existing?._rev !== expected) return undefined
    const rev = nextRev(existing?._rev)
    if (existing === undefined) orderedIds.delete(collection)
    t.set(id, deepFreeze({ ...body, _id: id, _rev: rev }))
    return rev
  }

  const save: DatabaseServiceShape["save"] = (collection, id, doc, options) =>
    Effect.gen(function*() {
      yield* validateKey(collection, id)
      yield* validateDocument(doc)
      const body = yield* toJsonBody("save", bodyOf(doc))
      const rev = write(collection, id, body, options?.mode === "create", expectedRevOf(doc, options?.expectedRev))
      if (rev === undefined) return yield* new Conflict({ collection, id })
      return { id, rev }
    }).pipe(span("save"))

  const saveOne = (collection: string, doc: DocumentInput & { _id: string }): Effect.Effect<BulkResult, DatabaseError> => {
    const reason = bulkDocumentProblem(doc)
    if (reason !== undefined) return Effect.succeed(bulkFailure(doc._id, "invalid", reason))
    return Effect.map(toJsonBody("saveMany", bodyOf(doc)), (body): BulkResult => {
      const rev = write(collection, doc._id, body, false, expectedRevOf(doc, undefined))
      return rev === undefined
        ? bulkFailure(doc._id, "conflict", "revision differs or document is gone")
        : { id: doc._id, ok: true, rev }
    })
  }

  return {
    provider: "memory",
    ping: Effect.void,

    get: (collection, id) =>
      Effect.flatMap(validateKey(collection, id), () => {
        const doc = tables.get(collection)?.get(id)
        return doc === undefined ? Effect.fail(new NotFound({ collection, id })) : Effect.succeed(doc)
      }).pipe(span("get")),

    save,

    delete: (collection, id, options) =>
      Effect.flatMap(validateKey(collection, id), (): Effect.Effect<void, NotFound | Conflict> => {
        const t = tables.get(collection)
        const existing = t?.get(id)
        if (t === undefined || existing === undefined) return Effect.fail(new NotFound({ collection, id }))
        if (options?.expectedRev !== undefined && options.expectedRev !== existing._rev) {
          return Effect.fail(new Conflict({ collection, id }))
        }
        t.delete(id)
        orderedIds.delete(collection)
        return Effect.void
      }).pipe(span("delete")),

    listAll: (collection) =>
      Effect.map(validateCollection(collection), () => Array.from(tables.get(collection)?.values() ?? []))
        .pipe(span("listAll")),

    stream: (collection, options) => {
      const pageSize = Math.max(1, Math.floor(options?.pageSize ?? DEFAULT_PAGE_SIZE))
      // Snapshot the ids once; each page then reads the documents as they are at that moment.
      return Stream.unwrap(Effect.map(validateCollection(collection), () => {
        const ids = Array.from(tables.get(collection)?.keys() ?? [])
        return Stream.paginateChunkEffect(0, (offset) =>
          Effect.sync(() => {
            const t = tables.get(collection)
            const page: Array<Document> = []
            for (const id of ids.slice(offset, offset + pageSize)) {
              const doc = t?.get(id)
              if (doc !== undefined) page.push(doc)
            }
            const next = offset + pageSize
            return [Chunk.unsafeFromArray(page), next < ids.length ? Option.some(next) : Option.none()] as const
          }))
      }))
    },

    find: (collection, selector, options) =>
      Effect.map(validateQuery(collection, selector, options), () => {
        const limit = options?.limit ?? Number.POSITIVE_INFINITY
        const entries = Object.entries(selector)
        const out: Array<Document> = []
        const t = tables.get(collection)
        if (limit <= 0 || t === undefined) return out
        const ids = idsInOrder(collection)
        for (let i = options?.after === undefined ? 0 : startAfter(ids, options.after); i < ids.length; i++) {
          const doc = t.get(ids[i]!)
          if (doc !== undefined && entries.every(([field, value]) => doc[field] === value)) {
            out.push(project(doc, options?.fields))
            if (out.length >= limit) break
          }
        }
        return out
      }).pipe(span("find")),

    ensureIndex: (collection, fields) => validateIndex(collection, fields),

    getMany: (collection, ids) =>
      Effect.map(Effect.zipRight(validateCollection(collection), Effect.forEach(ids, validateId, { discard: true })), () => {
        const t = tables.get(collection)
        return new Map(ids.map((id) => [id, t?.get(id) ?? null] as const))
      }).pipe(span("getMany")),

    saveMany: (collection, docs) =>
      Effect.flatMap(validateCollection(collection), () => Effect.forEach(docs, (doc) => saveOne(collection, doc)))
        .pipe(span("saveMany")),

    deleteMany: (collection, ids) =>
      Effect.map(validateCollection(collection), () =>
        ids.map((id): BulkResult => {
          const reason = idProblem(id)
          if (reason !== undefined) return bulkFailure(id, "invalid", reason)
          if (tables.get(collection)?.delete(id) === true) orderedIds.delete(collection)
          return { id, ok: true }
        })).pipe(span("deleteMany"))
  }
})

export const layer: Layer.Layer<DatabaseService> = Layer.effect(DatabaseService, make)
