import { Chunk, Effect, Option, Stream } from "effect"
import { FieldPath, type Query } from "firebase-admin/firestore"
import type { Page, RawDatabase } from "../../ports/RawDatabase.js"
import type { FirestoreClient } from "./FirestoreClient.js"
import { toDocument } from "./FirestoreWrites.js"

// find reads in pages too, so that no single call, bounded by the request timeout, has to carry a whole large result.
const READ_PAGE_SIZE = 1000

/**
 * Reads in document id order with `startAfter` cursors, and equality queries with `where`,
 * `select` and `limit`. Ordering by id adds no index: it is the order Firestore returns anyway.
 */
export const queryOperations = (client: FirestoreClient): Pick<RawDatabase, "page" | "listPageSize" | "find" | "ensureIndex"> => {
  const page = (operation: string, collection: string, size: number, after: string | undefined, refine: (query: Query) => Query) =>
    client.call(operation, (db) => {
      const ordered = refine(db.collection(collection)).orderBy(FieldPath.documentId()).limit(size)
      return (after === undefined ? ordered : ordered.startAfter(after)).get()
    }).pipe(
      Effect.map((snapshot): Page => {
        const docs = snapshot.docs.map(toDocument)
        return { docs, next: docs.length < size ? undefined : docs.at(-1)?._id }
      }),
      client.orDatabaseError(operation)
    )

  return {
    page: (collection, size, cursor) => page("page", collection, size, cursor as string | undefined, (query) => query),
    listPageSize: READ_PAGE_SIZE,
    find: (collection, selector, fields, limit, start) => {
      const refine = (query: Query) => {
        let refined = query
        for (const [field, value] of Object.entries(selector)) refined = refined.where(new FieldPath(field), "==", value)
        return fields === undefined ? refined : refined.select(...fields.map((field) => new FieldPath(field)))
      }
      const matches = Stream.paginateChunkEffect(start, (after) =>
        Effect.map(page("find", collection, Math.min(limit, READ_PAGE_SIZE), after, refine), ({ docs, next }) =>
          [Chunk.unsafeFromArray([...docs]), Option.fromNullable(next as string | undefined)] as const))
      return Effect.map(Stream.runCollect(Number.isFinite(limit) ? Stream.take(matches, limit) : matches), Chunk.toReadonlyArray)
    },
    // Firestore indexes every top-level field by itself, and answers equality filters on several
    // fields by merging those indexes, so the queries `find` makes need no index of ours.
    ensureIndex: () => Effect.void
  }
}
