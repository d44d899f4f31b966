import { Effect } from "effect"
import type { BulkResult, Document } from "../../ports/Document.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { bulkWrite } from "./CouchDbBulkWrite.js"
import type { CouchClient } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { decode, KeyedRows } from "./CouchDbResponses.js"
import { isRevision } from "./CouchDbRevisions.js"

const STALE = "revision differs or document is gone"

/** getMany, saveMany and deleteMany: `_all_docs?keys=` and `_bulk_docs`. */
export const bulkOperations = (
  client: CouchClient,
  collections: Collections
): Pick<RawDatabase, "getMany" | "saveMany" | "deleteMany"> => ({
  getMany: (collection, ids) =>
    collections.read(
      collection,
      client.request("getMany", {
        method: "POST",
        db: collections.db(collection),
        path: "_all_docs",
        qs: { include_docs: true },
        body: { keys: ids }
      }).pipe(Effect.flatMap(decode("getMany", KeyedRows))),
      () => Effect.succeed({ rows: [] })
    ).pipe(
      Effect.map(({ rows }) => {
        const found = new Map<string, Document>()
        for (const row of rows) if (row.doc !== undefined && row.doc !== null) found.set(row.key, row.doc)
        return found
      }),
      client.orDatabaseError("getMany")
    ),

  saveMany: (collection, writes) => {
    // CouchDB would refuse the whole request over one malformed revision; it cannot match anyway.
    const malformed = (rev: string | undefined) => rev !== undefined && !isRevision(rev)
    const valid = writes.filter((w) => !malformed(w.expectedRev))
    return bulkWrite(client, collections, "saveMany", collection, "save", valid).pipe(
      Effect.map((written) => {
        let k = 0
        return writes.map((w): BulkResult => malformed(w.expectedRev) ? { id: w.id, ok: false, error: "conflict", reason: STALE } : written[k++]!)
      }),
      client.orDatabaseError("saveMany")
    )
  },

  deleteMany: (collection, ids) =>
    bulkWrite(client, collections, "deleteMany", collection, "delete", ids.map((id) => ({ id, body: { _deleted: true }, expectedRev: undefined })))
      .pipe(client.orDatabaseError("deleteMany"))
})
