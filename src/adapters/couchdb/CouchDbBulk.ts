import { Effect } from "effect"
import type { DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { bulkFailure, type BulkResult, type Document } from "../../ports/Document.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { toJsonBody } from "../../ports/Json.js"
import { bodyOf, bulkDocumentProblem, expectedRevOf, idProblem, validateCollection, validateId } from "../../ports/Validation.js"
import { type BulkWrite, bulkWrite } from "./CouchDbBulkWrite.js"
import type { CouchClient } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { decode, KeyedRows } from "./CouchDbResponses.js"
import { isRevision } from "./CouchDbRevisions.js"

/** Sends the writes that passed validation; the rest already have their result. */
const writeValid = (
  results: Array<BulkResult>,
  writes: ReadonlyArray<readonly [number, BulkWrite]>,
  send: (writes: ReadonlyArray<BulkWrite>) => Effect.Effect<ReadonlyArray<BulkResult>, DatabaseError>
) =>
  Effect.map(send(writes.map(([, write]) => write)), (written) => {
    written.forEach((result, k) => {
      results[writes[k]![0]] = result
    })
    return results as ReadonlyArray<BulkResult>
  })

/** getMany, saveMany and deleteMany: `_all_docs?keys=` and `_bulk_docs`. */
export const bulkOperations = (
  client: CouchClient,
  collections: Collections
): Pick<DatabaseServiceShape, "getMany" | "saveMany" | "deleteMany"> => {
  const getMany: DatabaseServiceShape["getMany"] = (collection, ids) =>
    Effect.gen(function*() {
      yield* validateCollection(collection)
      yield* Effect.forEach(ids, validateId, { discard: true })
      const found = new Map<string, Document | null>(ids.map((id) => [id, null]))
      if (ids.length === 0) return found
      const { rows } = yield* collections.read(
        collection,
        client.request("getMany", {
          method: "POST",
          db: collections.db(collection),
          path: "_all_docs",
          qs: { include_docs: true },
          body: { keys: [...new Set(ids)] }
        }).pipe(Effect.flatMap(decode("getMany", KeyedRows))),
        () => Effect.succeed({ rows: [] })
      ).pipe(client.orDatabaseError("getMany"))
      for (const row of rows) {
        if (row.doc !== undefined && row.doc !== null && found.has(row.key)) found.set(row.key, row.doc)
      }
      return found
    }).pipe(Effect.withSpan("CouchDb.getMany"))

  const saveMany: DatabaseServiceShape["saveMany"] = (collection, docs) =>
    Effect.gen(function*() {
      yield* validateCollection(collection)
      const results: Array<BulkResult> = new Array(docs.length)
      const writes: Array<readonly [number, BulkWrite]> = []
      for (const [i, doc] of docs.entries()) {
        const reason = bulkDocumentProblem(doc)
        if (reason !== undefined) {
          results[i] = bulkFailure(doc._id, "invalid", reason)
        } else if (typeof doc._rev === "string" && !isRevision(doc._rev)) {
          // CouchDB would refuse the whole request over one malformed revision; it cannot match anyway.
          results[i] = { id: doc._id, ok: false, error: "conflict", reason: "revision differs or document is gone" }
        } else {
          const body = yield* toJsonBody("saveMany", bodyOf(doc))
          writes.push([i, { id: doc._id, body, expectedRev: expectedRevOf(doc, undefined) }])
        }
      }
      return yield* writeValid(results, writes, (valid) =>
        bulkWrite(client, collections, "saveMany", collection, "save", valid).pipe(client.orDatabaseError("saveMany")))
    }).pipe(Effect.withSpan("CouchDb.saveMany"))

  const deleteMany: DatabaseServiceShape["deleteMany"] = (collection, ids) =>
    Effect.gen(function*() {
      yield* validateCollection(collection)
      const results: Array<BulkResult> = new Array(ids.length)
      const writes: Array<readonly [number, BulkWrite]> = []
      for (const [i, id] of ids.entries()) {
        const reason = idProblem(id)
        if (reason !== undefined) results[i] = bulkFailure(id, "invalid", reason)
        else writes.push([i, { id, body: { _deleted: true }, expectedRev: undefined }])
      }
      return yield* writeValid(results, writes, (valid) =>
        bulkWrite(client, collections, "deleteMany", collection, "delete", valid).pipe(client.orDatabaseError("deleteMany")))
    }).pipe(Effect.withSpan("CouchDb.deleteMany"))

  return { getMany, saveMany, deleteMany }
}
