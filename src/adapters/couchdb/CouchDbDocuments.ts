import { Effect } from "effect"
import { Conflict, DatabaseError, NotFound } from "../../ports/Errors.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { type CouchClient, type CouchFailure, hasStatus, recover } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { decode, StoredDocumentResponse, WriteResponse } from "./CouchDbResponses.js"
import { currentRevisions, isRevision, RACE_ATTEMPTS, raceSchedule } from "./CouchDbRevisions.js"

const conflict = hasStatus(409)

const keptChanging = (operation: string, collection: string, id: string) =>
  Effect.fail(
    new DatabaseError({
      operation,
      message: `'${id}' in '${collection}' kept changing during ${RACE_ATTEMPTS} attempts to ${operation} it`
    })
  )

/** get, save and delete: one document, through its own URL. */
export const documentOperations = (
  client: CouchClient,
  collections: Collections
): Pick<RawDatabase, "get" | "save" | "delete"> => {
  const { request } = client

  const revisionOf = (operation: string, collection: string, id: string) =>
    Effect.map(currentRevisions(client, collections, operation, collection, [id]), (revs) => revs.get(id))

  const put = (collection: string, id: string, body: Record<string, unknown>, rev: string | undefined) =>
    // A copy, since a retry may send the body again without a revision; by Object.assign, as a
    // spread copy with one more field gets a V8 map of its own per write (see MemoryDatabase.ts).
    request("save", { method: "PUT", db: collections.db(collection), doc: id, body: rev === undefined ? body : Object.assign({}, body, { _rev: rev }) })
      .pipe(
        Effect.flatMap(decode("save", WriteResponse)),
        Effect.map(({ rev }) => rev)
      )

  const get: RawDatabase["get"] = (collection, id) =>
    collections.read(
      collection,
      Effect.flatMap(request("get", { db: collections.db(collection), doc: id }), decode("get", StoredDocumentResponse)),
      () => Effect.succeed(undefined)
    ).pipe(
      recover(hasStatus(404), () => Effect.succeed(undefined)),
      client.orDatabaseError("get")
    )

  const save: RawDatabase["save"] = (collection, { body, create, expectedRev, id }) => {
    if (create || expectedRev !== undefined) {
      // CouchDB's own optimistic write: 409 when the revision is not the current one (or, without one, when the id exists).
      if (expectedRev !== undefined && !isRevision(expectedRev)) return Effect.fail(new Conflict({ collection, id }))
      return collections.write("save", collection, put(collection, id, body, expectedRev)).pipe(
        recover(conflict, () => Effect.fail(new Conflict({ collection, id }))),
        client.orDatabaseError("save")
      )
    }
    // Last writer wins: write over the current revision; if another writer got in between, look again.
    return collections.write(
      "save",
      collection,
      Effect.flatMap(revisionOf("save", collection, id), (rev) => put(collection, id, body, rev))
    ).pipe(
      Effect.retry({ while: conflict, times: RACE_ATTEMPTS - 1, schedule: raceSchedule }),
      recover(conflict, () => keptChanging("save", collection, id)),
      client.orDatabaseError("save")
    )
  }

  const remove: RawDatabase["delete"] = (collection, id, expected) => {
    const notFound = Effect.fail(new NotFound({ collection, id }))
    const deleteAt = (rev: string) =>
      request("delete", { method: "DELETE", db: collections.db(collection), doc: id, qs: { rev } }).pipe(
        recover(hasStatus(404), () => notFound)
      )
    // A refused conditional delete is NotFound when nothing is stored (CouchDB says 409 there too), else Conflict.
    const refused = Effect.flatMap(
      revisionOf("delete", collection, id),
      (rev): Effect.Effect<never, NotFound | Conflict> => rev === undefined ? notFound : Effect.fail(new Conflict({ collection, id }))
    )
    const attempt: Effect.Effect<unknown, NotFound | Conflict | CouchFailure> = expected === undefined
      ? Effect.flatMap(
        revisionOf("delete", collection, id),
        (rev): Effect.Effect<unknown, NotFound | CouchFailure> => rev === undefined ? notFound : deleteAt(rev)
      ).pipe(Effect.retry({ while: conflict, times: RACE_ATTEMPTS - 1, schedule: raceSchedule }))
      : isRevision(expected)
      ? recover(conflict, () => refused)(deleteAt(expected))
      : refused
    return collections.read(collection, attempt, () => notFound).pipe(
      recover(conflict, () => keptChanging("delete", collection, id)),
      client.orDatabaseError("delete"),
      Effect.asVoid
    )
  }

  return { get, save, delete: remove }
}
