import { Effect } from "effect"
import { GrpcStatus } from "firebase-admin/firestore"
import { Conflict, NotFound } from "../../ports/Errors.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { type FirestoreClient, hasStatus } from "./FirestoreClient.js"
import { encodeBody, updateTimeOf } from "./FirestoreValues.js"
import { toDocument, unknownRevision, writeDocument } from "./FirestoreWrites.js"

/** Single-document operations: each is one round trip (a delete on a stale revision takes a second read to tell NotFound from Conflict). */
export const documentOperations = (client: FirestoreClient): Pick<RawDatabase, "get" | "save" | "delete" | "getMany"> => {
  const collectionOf = (collection: string) => client.db.collection(collection)

  const get: RawDatabase["get"] = (collection, id) =>
    client.call("get", () => collectionOf(collection).doc(id).get()).pipe(
      Effect.map((snapshot) => (snapshot.exists ? toDocument(snapshot) : undefined)),
      client.orDatabaseError("get")
    )

  const save: RawDatabase["save"] = (collection, { body, create, expectedRev, id }) =>
    writeDocument(client, "save", collectionOf(collection).doc(id), encodeBody(body), { create, expected: expectedRev }).pipe(
      Effect.catchIf(hasStatus(GrpcStatus.ALREADY_EXISTS, GrpcStatus.FAILED_PRECONDITION), () => new Conflict({ collection, id })),
      client.orDatabaseError("save")
    )

  const remove: RawDatabase["delete"] = (collection, id, expected) => {
    const ref = collectionOf(collection).doc(id)
    if (expected === undefined) {
      // Firestore deletes a missing document silently; the precondition makes it say NOT_FOUND.
      return client.call("delete", () => ref.delete({ exists: true })).pipe(
        Effect.asVoid,
        Effect.catchIf(hasStatus(GrpcStatus.NOT_FOUND), () => new NotFound({ collection, id })),
        client.orDatabaseError("delete")
      )
    }
    const lastUpdateTime = updateTimeOf(expected)
    return (lastUpdateTime === undefined
      ? Effect.fail(unknownRevision(expected))
      : client.call("delete", () => ref.delete({ lastUpdateTime }))).pipe(
        Effect.asVoid,
        // The precondition fails alike for a stale revision and a missing document.
        Effect.catchIf(hasStatus(GrpcStatus.FAILED_PRECONDITION), () =>
          Effect.flatMap(
            client.call("delete", () => ref.get()),
            (snapshot) => Effect.fail(snapshot.exists ? new Conflict({ collection, id }) : new NotFound({ collection, id }))
          )),
        client.orDatabaseError("delete")
      )
  }

  const getMany: RawDatabase["getMany"] = (collection, ids) =>
    client.call("getMany", (db) => db.getAll(...ids.map((id) => collectionOf(collection).doc(id)))).pipe(
      Effect.map((snapshots) => new Map(snapshots.filter((snapshot) => snapshot.exists).map((snapshot) => [snapshot.id, toDocument(snapshot)] as const))),
      client.orDatabaseError("getMany")
    )

  return { get, save, delete: remove, getMany }
}
