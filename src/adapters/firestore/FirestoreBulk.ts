import { Effect } from "effect"
import { GrpcStatus } from "firebase-admin/firestore"
import { bulkFailure, type BulkResult } from "../../ports/Document.js"
import type { DatabaseError } from "../../ports/Errors.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { type FirestoreClient, FirestoreStatus } from "./FirestoreClient.js"
import { encodeBody, revisionOf, updateTimeOf } from "./FirestoreValues.js"
import { writeDocument } from "./FirestoreWrites.js"

// Firestore's limit on writes in one commit.
const MAX_WRITES = 500
const FALLBACK_CONCURRENCY = 8

interface Pending {
  readonly index: number
  readonly id: string
  readonly data: Record<string, unknown>
  readonly expected: string | undefined
  readonly create: boolean
}

/** Commits of at most 500 writes (a conditional replace takes two), each touching a document once. */
const chunksOf = (pending: ReadonlyArray<Pending>): Array<Array<Pending>> => {
  const chunks: Array<Array<Pending>> = []
  let current: Array<Pending> = []
  let writes = 0
  let ids = new Set<string>()
  for (const item of pending) {
    const cost = item.expected === undefined ? 1 : 2
    if (writes + cost > MAX_WRITES || ids.has(item.id)) {
      chunks.push(current)
      current = []
      writes = 0
      ids = new Set()
    }
    current.push(item)
    writes += cost
    ids.add(item.id)
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

const STALE = "revision differs or document is gone"

const failed = bulkFailure

/**
 * saveMany commits each chunk atomically in one round trip. When a commit fails on a document's
 * condition or value, the chunk is written again one document at a time, so that every document
 * gets its own result; only an unreachable backend fails the call as a whole.
 */
export const bulkOperations = (client: FirestoreClient): Pick<RawDatabase, "saveMany" | "deleteMany"> => {
  const collectionOf = (collection: string) => client.db.collection(collection)

  const writeEach = (collection: string, chunk: ReadonlyArray<Pending>) =>
    Effect.forEach(chunk, (item) =>
      writeDocument(client, "saveMany", collectionOf(collection).doc(item.id), item.data, { create: item.create, expected: item.expected })
        .pipe(
          Effect.map((rev): BulkResult => ({ id: item.id, ok: true, rev })),
          Effect.catchTag("FirestoreStatus", (status) =>
            Effect.succeed(
              status.code === GrpcStatus.FAILED_PRECONDITION || status.code === GrpcStatus.ALREADY_EXISTS
                ? failed(item.id, "conflict", item.create ? "a document has this id" : STALE)
                : failed(item.id, status.code === GrpcStatus.INVALID_ARGUMENT ? "invalid" : "failed", status.message)
            ))
        ), { concurrency: FALLBACK_CONCURRENCY })

  const commitChunk = (collection: string, chunk: ReadonlyArray<Pending>): Effect.Effect<Array<BulkResult>, DatabaseError> => {
    const setPositions: Array<number> = []
    return client.call("saveMany", (db) => {
      const batch = db.batch()
      let position = 0
      for (const item of chunk) {
        const ref = collectionOf(collection).doc(item.id)
        if (item.expected !== undefined) {
          // Pending writes carry only revisions that parse (see saveMany).
          batch.delete(ref, { lastUpdateTime: updateTimeOf(item.expected)! })
          position += 1
        }
        if (item.create) batch.create(ref, item.data)
        else batch.set(ref, item.data)
        setPositions.push(position)
        position += 1
      }
      return batch.commit()
    }).pipe(
      Effect.map((results) =>
        chunk.map((item, i): BulkResult => ({ id: item.id, ok: true, rev: revisionOf(results[setPositions[i]!]!.writeTime) }))
      ),
      Effect.catchIf((failure): failure is FirestoreStatus => failure instanceof FirestoreStatus, () => writeEach(collection, chunk))
    )
  }

  const saveMany: RawDatabase["saveMany"] = (collection, writes) =>
    Effect.gen(function*() {
      const results: Array<BulkResult> = new Array(writes.length)
      const pending: Array<Pending> = []
      writes.forEach(({ body, create, expectedRev, id }, index) => {
        if (expectedRev !== undefined && updateTimeOf(expectedRev) === undefined) results[index] = failed(id, "conflict", STALE)
        else pending.push({ index, id, data: encodeBody(body), expected: expectedRev, create })
      })
      for (const chunk of chunksOf(pending)) {
        const written = yield* commitChunk(collection, chunk)
        chunk.forEach((item, i) => (results[item.index] = written[i]!))
      }
      return results
    })

  const deleteMany: RawDatabase["deleteMany"] = (collection, ids) =>
    Effect.gen(function*() {
      for (let start = 0; start < ids.length; start += MAX_WRITES) {
        const slice = ids.slice(start, start + MAX_WRITES)
        yield* client.call("deleteMany", (db) => {
          const batch = db.batch()
          for (const id of slice) batch.delete(collectionOf(collection).doc(id))
          return batch.commit()
        }).pipe(client.orDatabaseError("deleteMany"))
      }
      return ids.map((id): BulkResult => ({ id, ok: true }))
    })

  return { saveMany, deleteMany }
}
