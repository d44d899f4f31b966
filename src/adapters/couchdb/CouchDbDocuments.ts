import { Effect } from "effect"
import type { DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { Conflict, DatabaseError, NotFound } from "../../ports/Errors.js"
import { toJsonBody } from "../../ports/Json.js"
import { bodyOf, expectedRevOf, validateDocument, validateKey } from "../../ports/Validation.js"
import { type CouchClient, type CouchFailure, hasStatus, recover } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { decode, StoredDocument, WriteResponse } from "./CouchDbResponses.js"
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
): Pick<DatabaseServiceShape, "get" | "save" | "delete"> => {
  const { request } = client

  const revisionOf = (operation: string, collection: string, id: string) =>
    Effect.map(currentRevisions(client, collections, operation, collection, [id]), (revs) => revs.get(id))

  const put = (collection: string, id: string, body: Record<string, unknown>, rev: string | undefined) =>
    request("save", { method: "PUT", db: collections.db(collection), doc: id, body: rev === undefined ? body : { ...body, _rev: rev } })
      .pipe(
        Effect.flatMap(decode("save", WriteResponse)),
        Effect.map(({ rev }) => ({ id, rev }))
      )

  const get: DatabaseServiceShape["get"] = (collection, id) =>
    Effect.zipRight(
      validateKey(collection, id),
      collections.read(
        collection,
        Effect.flatMap(request("get", { db: collections.db(collection), doc: id }), decode("get", StoredDocument)),
        () => Effect.fail(new NotFound({ collection, id }))
      ).pipe(
        recover(hasStatus(404), () => Effect.fail(new NotFound({ collection, id }))),
        client.orDatabaseError("get")
      )
    ).pipe(Effect.withSpan("CouchDb.get"))

  const save: DatabaseServiceShape["save"] = (collection, id, doc, options) =>
    Effect.gen(function*() {
      yield* validateKey(collection, id)
      yield* validateDocument(doc)
      const body = yield* toJsonBody("save", bodyOf(doc))
      const expected = expectedRevOf(doc, options?.expectedRev)
      if (options?.mode === "create" || expected !== undefined) {
        // CouchDB's own optimistic write: 409 when the revision is not the current one (or, without one, when the id exists).
        if (expected !== undefined && !isRevision(expected)) return yield* new Conflict({ collection, id })
        return yield* collections.write("save", collection, put(collection, id, body, expected)).pipe(
          recover(conflict, () => Effect.fail(new Conflict({ collection, id }))),
          client.orDatabaseError("save")
        )
      }
      // Last writer wins: write over the current revision; if another writer got in between, look again.
      return yield* collections.write(
        "save",
        collection,
        Effect.flatMap(revisionOf("save", collection, id), (rev) => put(collection, id, body, rev))
      ).pipe(
        Effect.retry({ while: conflict, times: RACE_ATTEMPTS - 1, schedule: raceSchedule }),
        recover(conflict, () => keptChanging("save", collection, id)),
        client.orDatabaseError("save")
      )
    }).pipe(Effect.withSpan("CouchDb.save"))

  const remove: DatabaseServiceShape["delete"] = (collection, id, options) =>
    Effect.gen(function*() {
      yield* validateKey(collection, id)
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
      const expected = options?.expectedRev
      const attempt: Effect.Effect<unknown, NotFound | Conflict | CouchFailure> = expected === undefined
        ? Effect.flatMap(
          revisionOf("delete", collection, id),
          (rev): Effect.Effect<unknown, NotFound | CouchFailure> => rev === undefined ? notFound : deleteAt(rev)
        ).pipe(Effect.retry({ while: conflict, times: RACE_ATTEMPTS - 1, schedule: raceSchedule }))
        : isRevision(expected)
        ? recover(conflict, () => refused)(deleteAt(expected))
        : refused
      yield* collections.read(collection, attempt, () => notFound).pipe(
        recover(conflict, () => keptChanging("delete", collection, id)),
        client.orDatabaseError("delete")
      )
    }).pipe(Effect.withSpan("CouchDb.delete"))

  return { get, save, delete: remove }
}
