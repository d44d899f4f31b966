import { Chunk, Effect, Option, Stream } from "effect"
import { FieldPath, type Query } from "firebase-admin/firestore"
import type { DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { DEFAULT_PAGE_SIZE, type Document } from "../../ports/Document.js"
import { validateCollection, validateIndex, validateQuery } from "../../ports/Validation.js"
import type { FirestoreClient } from "./FirestoreClient.js"
import { toDocument } from "./FirestoreWrites.js"

// listAll reads in pages too, so that no single call has to carry a whole large collection.
const LIST_PAGE_SIZE = 1000

/** Reads by document id with `startAfter` cursors, and equality queries with `where`, `select` and `limit`. */
export const queryOperations = (
  client: FirestoreClient
): Pick<DatabaseServiceShape, "listAll" | "stream" | "find" | "ensureIndex"> => {
  const page = (collection: string, after: string | undefined, size: number) =>
    client.call("stream", (db) => {
      const ordered = db.collection(collection).orderBy(FieldPath.documentId()).limit(size)
      return (after === undefined ? ordered : ordered.startAfter(after)).get()
    }).pipe(
      Effect.map((snapshot) => snapshot.docs.map(toDocument)),
      client.orDatabaseError("stream"),
      Effect.withSpan("Firestore.stream.page")
    )

  const stream: DatabaseServiceShape["stream"] = (collection, options) => {
    const size = Math.max(1, Math.floor(options?.pageSize ?? DEFAULT_PAGE_SIZE))
    return Stream.unwrap(Effect.as(
      validateCollection(collection),
      Stream.paginateChunkEffect(undefined as string | undefined, (after) =>
        Effect.map(page(collection, after, size), (docs) => {
          const last = docs.at(-1)
          return [Chunk.unsafeFromArray(docs), docs.length < size || last === undefined ? Option.none() : Option.some(last._id)] as const
        }))
    ))
  }

  const find: DatabaseServiceShape["find"] = (collection, selector, options) =>
    Effect.gen(function*() {
      yield* validateQuery(collection, selector, options)
      const limit = options?.limit
      if (limit !== undefined && limit <= 0) return []
      const snapshot = yield* client.call("find", (db) => {
        let query: Query = db.collection(collection)
        for (const [field, value] of Object.entries(selector)) query = query.where(new FieldPath(field), "==", value)
        if (options?.fields !== undefined) query = query.select(...options.fields.map((field) => new FieldPath(field)))
        // As on the other backends, a fractional limit lets the match that reaches it through.
        if (limit !== undefined && Number.isFinite(limit)) query = query.limit(Math.ceil(limit))
        return query.get()
      }).pipe(client.orDatabaseError("find"))
      return snapshot.docs.map(toDocument)
    }).pipe(Effect.withSpan("Firestore.find"))

  return {
    listAll: (collection) =>
      Effect.map(Stream.runCollect(stream(collection, { pageSize: LIST_PAGE_SIZE })), (docs): ReadonlyArray<Document> =>
        Chunk.toReadonlyArray(docs)).pipe(Effect.withSpan("Firestore.listAll")),
    stream,
    find,
    // Firestore indexes every top-level field by itself, and equality filters on several fields
    // merge those indexes, so the queries `find` makes never need a composite index.
    ensureIndex: (collection, fields) => validateIndex(collection, fields).pipe(Effect.withSpan("Firestore.ensureIndex"))
  }
}
