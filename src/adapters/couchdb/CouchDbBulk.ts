import { Array as Arr, Effect } from "effect"
import type { BulkResult, Document } from "../../ports/Document.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { BULK_CHUNK, bulkWrite } from "./CouchDbBulkWrite.js"
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
  // In requests of BULK_CHUNK keys, each with its own timeout: 10,000 keys in one request took
  // pouchdb-server 1.0 – 1.2 s, half of the default DATABASE_TIMEOUT, and timed out under load.
  getMany: (collection, ids) => Effect.suspend(() => {
    const found = new Map<string, Document>()
    const chunks = Arr.chunksOf(ids, BULK_CHUNK)
    const read = (keys: ReadonlyArray<string>) =>
      collections.read(
        collection,
        client.request("getMany", {
          method: "POST",
          db: collections.db(collection),
          path: "_all_docs",
          qs: { include_docs: true },
          body: { keys }
        }).pipe(Effect.flatMap(decode("getMany", KeyedRows))),
        () => Effect.succeed({ rows: [] })
      ).pipe(
        Effect.map(({ rows }) => {
          for (const row of rows) if (row.doc !== undefined && row.doc !== null) found.set(row.key, row.doc)
        })
      )
    return Effect.as(chunks.length === 1 ? read(chunks[0]!) : Effect.forEach(chunks, read, { discard: true }), found).pipe(
      client.orDatabaseError("getMany")
    )
  }),

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
