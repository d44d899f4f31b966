import { Chunk, Effect, Stream } from "effect"
import type { DatabaseServiceShape } from "./DatabaseService.js"
import { bulkFailure, type BulkResult, DEFAULT_PAGE_SIZE, type Document, type DocumentPage } from "./Document.js"
import { storedBody } from "./DocumentLimits.js"
import { Conflict, DatabaseError, InvalidDocument, NotFound } from "./Errors.js"
import { makeInstrumentation } from "./DatabaseMetrics.js"
import { pageStream } from "./pageStream.js"
import { project } from "./Json.js"
import type { RawDatabase, StoredWrite } from "./RawDatabase.js"
import {
  bulkDocumentProblem,
  documentProblem,
  expectedRevOf,
  idProblem,
  keyProblem,
  validateCollection,
  validateId,
  validateIndex,
  validateKey,
  validateQuery
} from "./Validation.js"

export interface MakeOptions {
  /** Spans and metrics around every call (default true); off only to measure what they cost. */
  readonly instrument?: boolean | undefined
}

const LIST_PAGE_SIZE = 1000

const sizeOf = (requested: number | undefined) => Math.max(1, Math.floor(requested ?? DEFAULT_PAGE_SIZE))

/** Results of the writes that were sent, put back among the ones refused before sending, in input order. */
const merge = (
  operation: string,
  results: Array<BulkResult | undefined>,
  sent: ReadonlyArray<number>,
  answers: ReadonlyArray<BulkResult>
): Effect.Effect<ReadonlyArray<BulkResult>, DatabaseError> => {
  if (answers.length !== sent.length) {
    return Effect.fail(new DatabaseError({ operation, message: `the backend answered ${answers.length} results for ${sent.length} writes` }))
  }
  sent.forEach((index, k) => (results[index] = answers[k]))
  return Effect.succeed(results as ReadonlyArray<BulkResult>)
}

/**
 * A raw operation built now, after validation, with a throw while building (an SDK refusing a
 * name) as the defect Effect.suspend would make of it, in no Effect step of its own (suspend
 * takes two).
 */
const built = <A, E>(build: () => Effect.Effect<A, E>): Effect.Effect<A, E> => {
  try {
    return build()
  } catch (defect) {
    return Effect.die(defect)
  }
}

/**
 * Raw operations run only after validation (Effect.suspend or `built` wherever they follow it):
 * an SDK may throw on a bad name the moment a call is built.
 *
 * The full DatabaseService from a backend's raw operations (in the spirit of Effect's
 * KeyValueStore.make): every rule the backends share lives here once, so that the same input gets
 * the same answer everywhere. Validation, document limits, page sizes and limits, bulk
 * pre-validation and ordering, spans and metrics.
 */
export const makeDatabaseService = (raw: RawDatabase, options?: MakeOptions): DatabaseServiceShape => {
  const observe = options?.instrument === false
    ? <A, E, R>(_operation: string, _span: object, effect: Effect.Effect<A, E, R>) => effect
    : makeInstrumentation(raw.provider)

  // A page and, while there is more, the read of the next one: `pages` as it is, and `stream` and
  // `listAll` through pageStream. A listing that fits a page or two is read without running a
  // Stream, whose machinery cost more than reading the page itself (bench/HISTORY.md, 4 December 14:00).
  const pageAt = (collection: string, size: number, operation: string, cursor?: unknown): Effect.Effect<DocumentPage, DatabaseError> =>
    Effect.map(
      observe(operation, { collection }, Effect.suspend(() => raw.page(collection, size, cursor))),
      ({ docs, next }) => ({ items: docs, next: next === undefined ? undefined : pageAt(collection, size, operation, next) })
    )

  return {
    provider: raw.provider,
    ping: observe("ping", {}, raw.ping),

    // get and save, the calls of every request, are written flat (checks in plain code, one
    // Effect step around the raw operation): each Effect step costs several times more between
    // an SDK's calls than in a loop of its own (bench/port/layersBench.ts).
    get: (collection, id) => {
      const problem = keyProblem(collection, id)
      const read: ReturnType<DatabaseServiceShape["get"]> = problem !== undefined
        ? Effect.fail(problem)
        : Effect.flatMap(
          built(() => raw.get(collection, id)),
          (doc) => (doc === undefined ? Effect.fail(new NotFound({ collection, id })) : Effect.succeed(doc))
        )
      return observe("get", { collection, id }, read)
    },

    save: (collection, id, doc, saveOptions) =>
      observe(
        "save",
        { collection, id },
        Effect.suspend((): ReturnType<DatabaseServiceShape["save"]> => {
          const problem = keyProblem(collection, id) ?? documentProblem(doc)
          if (problem !== undefined) return Effect.fail(problem)
          const stored = storedBody(doc)
          if (!("body" in stored)) return Effect.fail(new InvalidDocument({ collection, id, ...stored }))
          const expectedRev = expectedRevOf(doc, saveOptions?.expectedRev)
          const create = saveOptions?.mode === "create"
          // A document that does not exist yet has no revision to match.
          if (create && expectedRev !== undefined) return Effect.fail(new Conflict({ collection, id }))
          return Effect.map(raw.save(collection, { id, body: stored.body, expectedRev, create }), (rev) => ({ id, rev }))
        })
      ),

    delete: (collection, id, deleteOptions) =>
      observe(
        "delete",
        { collection, id },
        Effect.zipRight(validateKey(collection, id), Effect.suspend(() => raw.delete(collection, id, deleteOptions?.expectedRev)))
      ),

    listAll: (collection) =>
      observe(
        "listAll",
        { collection },
        Effect.zipRight(
          validateCollection(collection),
          Effect.map(Stream.runCollect(pageStream(pageAt(collection, raw.listPageSize ?? LIST_PAGE_SIZE, "listAll.page"))), Chunk.toReadonlyArray)
        )
      ),

    stream: (collection, streamOptions) =>
      Stream.unwrap(Effect.as(observe("stream", { collection }, validateCollection(collection)), pageStream(pageAt(collection, sizeOf(streamOptions?.pageSize), "stream.page")))),

    pages: (collection, pageOptions) =>
      Effect.zipRight(observe("stream", { collection }, validateCollection(collection)), pageAt(collection, sizeOf(pageOptions?.pageSize), "stream.page")),

    find: (collection, selector, findOptions) =>
      observe(
        "find",
        { collection },
        Effect.gen(function*() {
          yield* validateQuery(collection, selector, findOptions)
          // A fractional limit lets the match that reaches it through.
          const limit = findOptions?.limit === undefined ? Number.POSITIVE_INFINITY : Math.ceil(findOptions.limit)
          if (!(limit > 0)) return []
          const fields = findOptions?.fields === undefined ? undefined : [...new Set(findOptions.fields)]
          const found = yield* raw.find(collection, selector, fields, limit, findOptions?.after)
          return found.slice(0, limit).map((doc) => project(doc, fields))
        })
      ),

    ensureIndex: (collection, fields) =>
      observe(
        "ensureIndex",
        { collection },
        Effect.zipRight(validateIndex(collection, fields), Effect.suspend(() => fields.length === 0 ? Effect.void : raw.ensureIndex(collection, fields)))
      ),

    getMany: (collection, ids) =>
      observe(
        "getMany",
        { collection, count: ids.length },
        Effect.gen(function*() {
          yield* validateCollection(collection)
          // A plain loop: an effect per id cost more than the memory backend's whole read.
          const bad = ids.find((id) => idProblem(id) !== undefined)
          if (bad !== undefined) yield* validateId(bad)
          const unique = [...new Set(ids)]
          const found = unique.length === 0 ? new Map<string, Document>() : yield* raw.getMany(collection, unique)
          return new Map(ids.map((id) => [id, found.get(id) ?? null] as const))
        })
      ),

    saveMany: (collection, docs, saveOptions) =>
      observe(
        "saveMany",
        { collection, count: docs.length },
        Effect.gen(function*() {
          yield* validateCollection(collection)
          const results: Array<BulkResult | undefined> = new Array(docs.length)
          const sent: Array<number> = []
          const writes: Array<StoredWrite & { readonly create: boolean }> = []
          const create = saveOptions?.mode === "create"
          docs.forEach((doc, index) => {
            const problem = bulkDocumentProblem(doc)
            const body = problem === undefined ? storedBody(doc) : { reason: problem }
            const expectedRev = expectedRevOf(doc, undefined)
            if (create && expectedRev !== undefined && "body" in body) {
              // As in save: a document that does not exist yet has no revision to match.
              results[index] = bulkFailure(doc._id, "conflict", "create-only write of a document with a revision")
            } else if ("body" in body) {
              sent.push(index)
              writes.push({ id: doc._id, body: body.body, expectedRev, create })
            } else {
              results[index] = bulkFailure(doc._id, "invalid", body.reason)
            }
          })
          const answers = writes.length === 0 ? [] : yield* raw.saveMany(collection, writes)
          return yield* merge("saveMany", results, sent, answers)
        })
      ),

    deleteMany: (collection, ids) =>
      observe(
        "deleteMany",
        { collection, count: ids.length },
        Effect.gen(function*() {
          yield* validateCollection(collection)
          const unique = [...new Set(ids.filter((id) => idProblem(id) === undefined))]
          const answers = unique.length === 0 ? [] : yield* raw.deleteMany(collection, unique)
          if (answers.length !== unique.length) {
            return yield* new DatabaseError({ operation: "deleteMany", message: `the backend answered ${answers.length} results for ${unique.length} deletes` })
          }
          const byId = new Map(unique.map((id, k) => [id, answers[k]!] as const))
          return ids.map((id) => byId.get(id) ?? bulkFailure(id, "invalid", idProblem(id) ?? "not a valid id"))
        })
      )
  }
}
