import { Effect } from "effect"
import type { Document } from "../../ports/Document.js"
import type { DatabaseError } from "../../ports/Errors.js"
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
      // A loop rather than a Stream: most finds are one page, and a Stream's machinery cost more than that page's conversions.
      const size = Math.min(limit, READ_PAGE_SIZE)
      const from = (found: Array<Document>, after: string | undefined): Effect.Effect<ReadonlyArray<Document>, DatabaseError> =>
        Effect.flatMap(page("find", collection, size, after, refine), ({ docs, next }) => {
          for (const doc of docs) {
            if (found.length >= limit) break
            found.push(doc)
          }
          return found.length >= limit || next === undefined ? Effect.succeed(found) : from(found, next as string)
        })
      return Effect.suspend(() => from([], start))
    },
    // Firestore indexes every top-level field by itself, and answers equality filters on several
    // fields by merging those indexes, so the queries `find` makes need no index of ours.
    ensureIndex: () => Effect.void
  }
}
