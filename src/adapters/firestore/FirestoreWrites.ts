import { Effect } from "effect"
import { type DocumentReference, type DocumentSnapshot, GrpcStatus } from "firebase-admin/firestore"
import type { Document } from "../../ports/Document.js"
import { type FirestoreClient, type FirestoreFailure, FirestoreStatus } from "./FirestoreClient.js"
import { decodeBody, revisionOf, updateTimeOf } from "./FirestoreValues.js"

export const toDocument = (snapshot: DocumentSnapshot): Document => ({
  ...decodeBody(snapshot.data()),
  _id: snapshot.id,
  // Only snapshots of existing documents get here, and those always carry an update time.
  _rev: revisionOf(snapshot.updateTime!)
})

/** What a revision that was never ours fails with: it cannot match any stored document. */
export const unknownRevision = (revision: string) =>
  new FirestoreStatus({ code: GrpcStatus.FAILED_PRECONDITION, details: `'${revision.slice(0, 60)}' is not a revision of this document` })

export interface Write {
  readonly create: boolean
  /** The revision the stored document must have (its update time); it must exist. */
  readonly expected: string | undefined
}

/**
 * One document write, in one round trip, resolving to the new revision. A lost condition fails
 * with ALREADY_EXISTS (create) or FAILED_PRECONDITION (expected revision).
 *
 * Replacing a whole document on a condition: `update()` takes a `lastUpdateTime` precondition
 * but merges fields, and `set()` replaces but takes none. One commit holding a delete guarded by
 * the precondition, then the `set`, does both atomically: the guard fails the whole commit when
 * the document changed or is gone, and fields absent from the new version disappear.
 */
export const writeDocument = (
  client: FirestoreClient,
  operation: string,
  ref: DocumentReference,
  data: Record<string, unknown>,
  write: Write
): Effect.Effect<string, FirestoreFailure> => {
  if (write.create) return Effect.map(client.call(operation, () => ref.create(data)), (result) => revisionOf(result.writeTime))
  if (write.expected === undefined) return Effect.map(client.call(operation, () => ref.set(data)), (result) => revisionOf(result.writeTime))
  const lastUpdateTime = updateTimeOf(write.expected)
  if (lastUpdateTime === undefined) return Effect.fail(unknownRevision(write.expected))
  return Effect.map(
    client.call(operation, (db) => db.batch().delete(ref, { lastUpdateTime }).set(ref, data).commit()),
    (results) => revisionOf(results[1]!.writeTime)
  )
}
