import { Array as Arr, Effect } from "effect"
import type { BulkResult } from "../../ports/Document.js"
import { DatabaseError } from "../../ports/Errors.js"
import type { CouchClient, CouchFailure } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { BulkResponse, decode } from "./CouchDbResponses.js"
import { currentRevisions, RACE_ATTEMPTS } from "./CouchDbRevisions.js"

/** Documents per `_bulk_docs` request: large inputs go in several, one after the other. */
export const BULK_CHUNK = 1000

export interface BulkWrite {
  readonly id: string
  /** The stored fields; `{ _deleted: true }` for a delete. */
  readonly body: Record<string, unknown>
  /**
   * `undefined`: write over whatever is stored (its revision is looked up, and a lost race is
   * retried). A string: write only over that revision, else the result is a conflict.
   */
  readonly expectedRev: string | undefined
  /** Only where no live document has the id: sent without a revision, its conflict is the result. */
  readonly create?: boolean | undefined
}

type Kind = "save" | "delete"

const conflict = (id: string, reason: string): BulkResult => ({ id, ok: false, error: "conflict", reason })

/**
 * Writes documents with `_bulk_docs`, chunked, one result per input in input order. Per-document
 * failures (a conflict above all) are results; only a failure of a whole request fails the call.
 * A delete of an absent document succeeds without being sent, and never creates the database.
 * A conditional write is sent only when the revision looked up just before is the expected one.
 */
export const bulkWrite = (
  client: CouchClient,
  collections: Collections,
  operation: string,
  collection: string,
  kind: Kind,
  writes: ReadonlyArray<BulkWrite>
): Effect.Effect<ReadonlyArray<BulkResult>, CouchFailure> => {
  const post = (docs: ReadonlyArray<Record<string, unknown>>): Effect.Effect<typeof BulkResponse.schema.Type, CouchFailure> => {
    const request = client.request(operation, { method: "POST", db: collections.db(collection), path: "_bulk_docs", body: { docs } }).pipe(
      Effect.flatMap(decode(operation, BulkResponse)),
      Effect.filterOrFail(
        (answers) => answers.length === docs.length,
        () => new DatabaseError({ operation, message: "CouchDB answered _bulk_docs with a result count that does not match the request" })
      )
    )
    return kind === "save"
      ? collections.write(operation, collection, request)
      : collections.read(collection, request, () => Effect.succeed(docs.map(() => ({ error: "not_found" }))))
  }

  // Bulk saves mostly write new documents, which need no revision: the first chunk is sent without
  // looking revisions up, and only the documents that turn out to exist (a conflict) are looked up
  // and sent again. Once a chunk shows that most documents exist, later chunks look up first.
  // Chunks run one after the other, so this flag is only ever touched by one of them at a time.
  let optimistic = kind === "save"

  const chunk = (
    batch: ReadonlyArray<BulkWrite>,
    attempt: number
  ): Effect.Effect<ReadonlyArray<BulkResult>, CouchFailure> =>
    Effect.gen(function*() {
      const guessing = optimistic && attempt === 1
      const unconditional = guessing ? [] : batch.filter((w) => w.expectedRev === undefined && w.create !== true).map((w) => w.id)
      const conditional = batch.filter((w) => w.expectedRev !== undefined).map((w) => w.id)
      const revs = yield* currentRevisions(client, collections, operation, collection, [...unconditional, ...conditional])
      const results: Array<BulkResult> = new Array(batch.length)
      const sent: Array<number> = []
      const docs: Array<Record<string, unknown>> = []
      batch.forEach((w, i) => {
        const rev = w.create === true ? undefined : w.expectedRev ?? revs.get(w.id)
        if (w.expectedRev !== undefined && revs.get(w.id) !== w.expectedRev) {
          // Checked here, not left to the server: Apache CouchDB 3.4 creates a document sent to
          // _bulk_docs with a `_rev` when its id has no revision tree, where the contract says conflict.
          results[i] = conflict(w.id, "revision differs or document is gone")
        } else if (kind === "delete" && rev === undefined) {
          results[i] = { id: w.id, ok: true }
        } else {
          sent.push(i)
          docs.push(rev === undefined ? { ...w.body, _id: w.id } : { ...w.body, _id: w.id, _rev: rev })
        }
      })
      if (docs.length === 0) return results

      const answers = yield* post(docs)
      const raced: Array<number> = []
      answers.forEach((answer, k) => {
        const i = sent[k]!
        const w = batch[i]!
        if (answer.error === undefined) {
          results[i] = kind === "save" ? { id: w.id, ok: true, rev: answer.rev } : { id: w.id, ok: true }
        } else if (answer.error === "conflict" && w.create === true) {
          results[i] = conflict(w.id, "a document has this id")
        } else if (answer.error === "conflict" && w.expectedRev === undefined && attempt < RACE_ATTEMPTS) {
          raced.push(i)
        } else if (answer.error === "conflict") {
          results[i] = conflict(
            w.id,
            w.expectedRev === undefined ? `lost to concurrent writers ${attempt} times` : "revision differs or document is gone"
          )
        } else if (kind === "delete" && answer.error === "not_found") {
          results[i] = { id: w.id, ok: true }
        } else {
          results[i] = { id: w.id, ok: false, error: "failed", reason: `${answer.error}: ${answer.reason ?? ""}` }
        }
      })
      if (guessing) optimistic = raced.length * 2 < sent.length
      if (raced.length > 0) {
        // Written without their revision, or another writer changed them since our lookup: look (again).
        if (!guessing) yield* Effect.sleep(Math.floor(Math.random() * 5 * attempt))
        const again = yield* chunk(raced.map((i) => batch[i]!), attempt + 1)
        raced.forEach((i, k) => {
          results[i] = again[k]!
        })
      }
      return results
    })

  return Effect.map(Effect.forEach(Arr.chunksOf(writes, BULK_CHUNK), (batch) => chunk(batch, 1)), (parts) => parts.flat())
}
