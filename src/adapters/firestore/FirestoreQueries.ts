import { Chunk, Effect, Option, Stream } from "effect"
import { FieldPath, type Query } from "firebase-admin/firestore"
import type { DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { DEFAULT_PAGE_SIZE, type Document } from "../../ports/Document.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { validateCollection, validateIndex, validateQuery } from "../../ports/Validation.js"
import type { FirestoreClient } from "./FirestoreClient.js"
import { toDocument } from "./FirestoreWrites.js"

// listAll and find read in pages too, so that no single call, bounded by the request timeout,
// has to carry a whole large result.
const READ_PAGE_SIZE = 1000

/**
 * Reads in document id order with `startAfter` cursors, and equality queries with `where`,
 * `select` and `limit`. Ordering by id adds no index: it is the order Firestore returns anyway.
 */
export const queryOperations = (
  client: FirestoreClient
): Pick<DatabaseServiceShape, "listAll" | "stream" | "find" | "ensureIndex"> => {
  const pages = (
    operation: string,
    collection: string,
    size: number,
    refine: (query: Query) => Query = (query) => query,
    start?: string
  ): Stream.Stream<Document, DatabaseError> =>
    Stream.paginateChunkEffect(start, (after) =>
      client.call(operation, (db) => {
        const ordered = refine(db.collection(collection)).orderBy(FieldPath.documentId()).limit(size)
        return (after === undefined ? ordered : ordered.startAfter(after)).get()
      }).pipe(
        Effect.map((snapshot) => {
          const docs = snapshot.docs.map(toDocument)
          const last = docs.at(-1)
          return [Chunk.unsafeFromArray(docs), docs.length < size || last === undefined ? Option.none() : Option.some(last._id)] as const
        }),
        client.orDatabaseError(operation),
        Effect.withSpan(`Firestore.${operation}.page`)
      ))

  const stream: DatabaseServiceShape["stream"] = (collection, options) =>
    Stream.unwrap(Effect.as(
      validateCollection(collection),
      pages("stream", collection, Math.max(1, Math.floor(options?.pageSize ?? DEFAULT_PAGE_SIZE)))
    ))

  const find: DatabaseServiceShape["find"] = (collection, selector, options) =>
    Effect.gen(function*() {
      yield* validateQuery(collection, selector, options)
      // As on the other backends, a fractional limit lets the match that reaches it through.
      const limit = options?.limit === undefined ? Number.POSITIVE_INFINITY : Math.ceil(options.limit)
      if (limit <= 0) return []
      const matches = pages("find", collection, Math.min(limit, READ_PAGE_SIZE), (query) => {
        let refined = query
        for (const [field, value] of Object.entries(selector)) refined = refined.where(new FieldPath(field), "==", value)
        return options?.fields === undefined ? refined : refined.select(...options.fields.map((field) => new FieldPath(field)))
      }, options?.after)
      return Chunk.toReadonlyArray(yield* Stream.runCollect(Number.isFinite(limit) ? Stream.take(matches, limit) : matches))
    }).pipe(Effect.withSpan("Firestore.find"))

  return {
    listAll: (collection) =>
      Effect.flatMap(validateCollection(collection), () => Stream.runCollect(pages("listAll", collection, READ_PAGE_SIZE))).pipe(
        Effect.map(Chunk.toReadonlyArray),
        Effect.withSpan("Firestore.listAll")
      ),
    stream,
    find,
    // Firestore indexes every top-level field by itself, and answers equality filters on several
    // fields by merging those indexes, so the queries `find` makes need no index of ours.
    ensureIndex: (collection, fields) => validateIndex(collection, fields).pipe(Effect.withSpan("Firestore.ensureIndex"))
  }
}
