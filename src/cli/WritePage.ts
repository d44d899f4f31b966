import { Effect, Schedule } from "effect"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { BulkDocument, Document } from "../ports/Document.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import { collectionProblem, documentProblem, idProblem } from "../ports/Validation.js"
import { canonicalJson, type Portable } from "./Canonical.js"
import type { Failure, PageOutcome } from "./Tally.js"

export type WriteMode = "create" | "upsert"

export interface WriteOptions {
  /** `create`: an id the target already holds with another body is reported, never overwritten. */
  readonly mode: WriteMode
  readonly dryRun: boolean
}

/**
 * A backend that could not be reached gets a few more chances before the run stops: every step
 * below is safe to repeat (reads, and writes of the same bodies under the same ids).
 */
export const retryTransient = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.retry(effect, {
    while: (error) => error._tag === "DatabaseError" && (error as unknown as DatabaseError).unavailable,
    schedule: Schedule.exponential("250 millis").pipe(Schedule.intersect(Schedule.recurs(4)))
  })

// A reason is shown to the operator: the backend's words, without any URL it put in them.
const reasonOf = (error: { readonly message: string }) => error.message.replace(/https?:\/\/\S+/g, "the backend")

const sameBody = (existing: Document, doc: Portable) => canonicalJson(existing) === canonicalJson(doc)

/**
 * One page into the target, in as few requests as the port allows: one getMany to see what is
 * there (identical documents are skipped, so a resumed run writes nothing twice), one saveMany
 * for the rest. A document the target refuses is a failure with its reason; the page goes on.
 */
export const writePage = (
  db: DatabaseServiceShape,
  collection: string,
  docs: ReadonlyArray<Portable>,
  options: WriteOptions
): Effect.Effect<PageOutcome, DatabaseError | InvalidName> =>
  Effect.gen(function*() {
    const failures: Array<Failure> = []
    const badCollection = collectionProblem(collection)
    if (badCollection !== undefined) {
      const reason = `invalid collection name: ${badCollection}`
      return { read: docs.length, written: 0, skipped: 0, failures: docs.map((d) => ({ id: String(d._id), reason })) }
    }
    const candidates: Array<Portable> = []
    const seen = new Set<string>()
    for (const doc of docs) {
      const problem = idProblem(doc._id) ?? documentProblem(doc)?.message
      if (problem !== undefined) failures.push({ id: String(doc._id), reason: problem })
      else if (seen.has(doc._id)) failures.push({ id: doc._id, reason: "appears more than once in the input" })
      else {
        seen.add(doc._id)
        candidates.push(doc)
      }
    }
    const existing = candidates.length === 0
      ? new Map<string, Document | null>()
      : yield* retryTransient(db.getMany(collection, candidates.map((d) => d._id)))
    const toWrite: Array<Portable> = []
    let skipped = 0
    for (const doc of candidates) {
      const current = existing.get(doc._id) ?? null
      if (current === null) toWrite.push(doc)
      else if (sameBody(current, doc)) skipped += 1
      else if (options.mode === "upsert") toWrite.push(doc)
      else {
        failures.push({
          id: doc._id,
          reason: "already in the target with a different body; not overwritten (--mode upsert replaces it)"
        })
      }
    }
    if (options.dryRun || toWrite.length === 0) {
      return { read: docs.length, written: toWrite.length, skipped, failures }
    }
    const written = yield* saveAll(db, collection, toWrite, options.mode, failures)
    return { read: docs.length, written, skipped, failures }
  })

const saveAll = (
  db: DatabaseServiceShape,
  collection: string,
  docs: ReadonlyArray<Portable>,
  mode: WriteMode,
  failures: Array<Failure>
): Effect.Effect<number, DatabaseError | InvalidName> =>
  retryTransient(db.saveMany(collection, docs as ReadonlyArray<BulkDocument>)).pipe(
    Effect.map((results) => {
      let written = 0
      for (const result of results) {
        if (result.ok) written += 1
        else failures.push({ id: result.id, reason: `${result.error}: ${reasonOf({ message: result.reason })}` })
      }
      return written
    }),
    // The call as a whole was refused (a request too large for the server, say): one document at
    // a time finds the one at fault and keeps the others. An unreachable backend still stops the run.
    Effect.catchIf(
      (error) => error._tag === "DatabaseError" && !error.unavailable,
      () => saveOneByOne(db, collection, docs, mode, failures)
    )
  )

const saveOneByOne = (
  db: DatabaseServiceShape,
  collection: string,
  docs: ReadonlyArray<Portable>,
  mode: WriteMode,
  failures: Array<Failure>
): Effect.Effect<number, DatabaseError | InvalidName> =>
  Effect.reduce(docs, 0, (written, doc) => {
    const { _id, ...body } = doc
    return retryTransient(db.save(collection, _id, body, { mode: mode === "create" ? "create" : "upsert" })).pipe(
      Effect.as(written + 1),
      Effect.catchAll((error) => {
        if (error._tag === "DatabaseError" && error.unavailable) return Effect.fail(error)
        const reason = error._tag === "Conflict" ? "written by someone else during the run; not overwritten" : reasonOf(error)
        failures.push({ id: _id, reason })
        return Effect.succeed(written)
      })
    )
  })
