import { Chunk, Effect, Option, Stream } from "effect"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import { DATA_STORE } from "./DataRecord.js"

/** Records per read while streaming, listing keys, clearing and counting. */
export const PAGE = 1000

/** Whatever id was asked for, a record is shown only to its user, in its namespace, under its key. */
export const belongs = (doc: Document | null | undefined, userId: string, namespace: string, key?: string): doc is Document =>
  doc != null && doc.userId === userId && doc.namespace === namespace && (key === undefined || doc.key === key)

export type Pages = (
  selector: Record<string, string>,
  fields?: ReadonlyArray<string>,
  start?: string,
  size?: number,
  collection?: string
) => Stream.Stream<Document, InvalidName | DatabaseError>

/**
 * The documents a selector matches (a namespace's, or without one a user's), page by page in the
 * store's paging order, each page starting after the id the previous one ended on.
 */
export const pagesOf = (db: DatabaseServiceShape): Pages => (selector, fields, start, size = PAGE, collection = DATA_STORE) =>
  Stream.paginateChunkEffect(start, (after) =>
    Effect.map(db.find(collection, selector, { limit: size, after, fields }), (docs) => {
      const last = docs.at(-1)
      return [Chunk.unsafeFromArray(docs), docs.length < size || last === undefined ? Option.none() : Option.some(last._id)] as const
    }))
