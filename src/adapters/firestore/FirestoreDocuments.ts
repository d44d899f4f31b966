import { Effect } from "effect"
import { GrpcStatus } from "firebase-admin/firestore"
import type { DatabaseServiceShape } from "../../ports/DatabaseService.js"
import type { Document } from "../../ports/Document.js"
import { Conflict, NotFound } from "../../ports/Errors.js"
import { toJsonBody } from "../../ports/Json.js"
import { bodyOf, expectedRevOf, validateCollection, validateDocument, validateId, validateKey } from "../../ports/Validation.js"
import { type FirestoreClient, hasStatus } from "./FirestoreClient.js"
import { updateTimeOf } from "./FirestoreValues.js"
import { encodeOrInvalid, toDocument, unknownRevision, writeDocument } from "./FirestoreWrites.js"

/** Single-document operations: each is one round trip (a delete on a stale revision takes a second read to tell NotFound from Conflict). */
export const documentOperations = (
  client: FirestoreClient
): Pick<DatabaseServiceShape, "get" | "save" | "delete" | "getMany"> => {
  const collectionOf = (collection: string) => client.db.collection(collection)

  const get: DatabaseServiceShape["get"] = (collection, id) =>
    Effect.gen(function*() {
      yield* validateKey(collection, id)
      const snapshot = yield* client.call("get", () => collectionOf(collection).doc(id).get()).pipe(client.orDatabaseError("get"))
      if (!snapshot.exists) return yield* new NotFound({ collection, id })
      return toDocument(snapshot)
    }).pipe(Effect.withSpan("Firestore.get"))

  const save: DatabaseServiceShape["save"] = (collection, id, doc, options) =>
    Effect.gen(function*() {
      yield* validateKey(collection, id)
      yield* validateDocument(doc)
      const data = yield* Effect.flatMap(toJsonBody("save", bodyOf(doc)), encodeOrInvalid)
      const rev = yield* writeDocument(client, "save", collectionOf(collection).doc(id), data, {
        create: options?.mode === "create",
        expected: expectedRevOf(doc, options?.expectedRev)
      }).pipe(
        Effect.catchIf(hasStatus(GrpcStatus.ALREADY_EXISTS, GrpcStatus.FAILED_PRECONDITION), () => new Conflict({ collection, id })),
        client.orDatabaseError("save")
      )
      return { id, rev }
    }).pipe(Effect.withSpan("Firestore.save"))

  const remove: DatabaseServiceShape["delete"] = (collection, id, options) =>
    Effect.gen(function*() {
      yield* validateKey(collection, id)
      const ref = collectionOf(collection).doc(id)
      const expected = options?.expectedRev
      if (expected === undefined) {
        // Firestore deletes a missing document silently; the precondition makes it say NOT_FOUND.
        return yield* client.call("delete", () => ref.delete({ exists: true })).pipe(
          Effect.catchIf(hasStatus(GrpcStatus.NOT_FOUND), () => new NotFound({ collection, id })),
          client.orDatabaseError("delete")
        )
      }
      const lastUpdateTime = updateTimeOf(expected)
      yield* (lastUpdateTime === undefined
        ? Effect.fail(unknownRevision(expected))
        : client.call("delete", () => ref.delete({ lastUpdateTime }))).pipe(
          // The precondition fails alike for a stale revision and a missing document.
          Effect.catchIf(hasStatus(GrpcStatus.FAILED_PRECONDITION), () =>
            Effect.flatMap(
              client.call("delete", () => ref.get()),
              (snapshot) => Effect.fail(snapshot.exists ? new Conflict({ collection, id }) : new NotFound({ collection, id }))
            )),
          client.orDatabaseError("delete")
        )
    }).pipe(Effect.withSpan("Firestore.delete"))

  const getMany: DatabaseServiceShape["getMany"] = (collection, ids) =>
    Effect.gen(function*() {
      yield* validateCollection(collection)
      yield* Effect.forEach(ids, validateId, { discard: true })
      const unique = [...new Set(ids)]
      if (unique.length === 0) return new Map<string, Document | null>()
      const snapshots = yield* client.call("getMany", (db) => db.getAll(...unique.map((id) => collectionOf(collection).doc(id))))
        .pipe(client.orDatabaseError("getMany"))
      const found = new Map(snapshots.map((snapshot) => [snapshot.id, snapshot.exists ? toDocument(snapshot) : null] as const))
      return new Map(ids.map((id) => [id, found.get(id) ?? null] as const))
    }).pipe(Effect.withSpan("Firestore.getMany"))

  return { get, save, delete: remove, getMany }
}
