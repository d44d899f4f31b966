import { Effect, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import { Conflict, DatabaseError } from "../ports/Errors.js"

/** Stored entities carry the port's `_id`/`_rev`, their own timestamps and who wrote them (a user's uid). */
type Stored<A> = A & {
  readonly _id: string
  readonly _rev: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly createdBy?: string
  readonly updatedBy?: string
}

const author = (by: string | undefined, field: "createdBy" | "updatedBy") => by === undefined ? {} : { [field]: by }

const MERGE_ATTEMPTS = 10

/**
 * Create/read/merge/delete of one kind of entity in one collection. Entities are written only
 * through their schemas, so reading them back as A is safe without decoding every list.
 */
export const makeEntityStore = <A extends object, U extends { readonly _rev?: string | undefined }>(
  db: DatabaseServiceShape,
  collection: string
) => {
  const asEntity = (doc: Document) => doc as unknown as Stored<A>

  // Create-only with a fresh UUID: a collision is near impossible, but it must not overwrite.
  const create = (input: A, by?: string) =>
    Effect.gen(function*() {
      const now = new Date().toISOString()
      const body = { ...input, createdAt: now, updatedAt: now, ...author(by, "createdBy"), ...author(by, "updatedBy") }
      const id = randomUUID()
      const { rev } = yield* db.save(collection, id, body, { mode: "create" })
      return { ...body, _id: id, _rev: rev } as Stored<A>
    }).pipe(
      Effect.retry({ while: (error) => error._tag === "Conflict", times: 3 }),
      Effect.catchTag("Conflict", () =>
        Effect.fail(new DatabaseError({ operation: "create", message: "could not find a free id" })))
    )

  const list = Effect.map(db.listAll(collection), (docs) => docs.map(asEntity))

  const get = (id: string) => Effect.map(db.get(collection, id), asEntity)

  // Without a `_rev` the merge is retried on Conflict, so concurrent edits of different fields
  // are all kept; with one, a stale `_rev` is the caller's Conflict.
  const update = (id: string, patch: U, by?: string) => {
    const { _rev: expected, ...changes } = patch
    const attempt = Effect.gen(function*() {
      const current = yield* db.get(collection, id)
      if (expected !== undefined && current._rev !== expected) return yield* new Conflict({ collection, id })
      const { _id, _rev, ...body } = current
      const next = { ...body, ...changes, updatedAt: new Date().toISOString(), ...author(by, "updatedBy") }
      const { rev } = yield* db.save(collection, id, next, { expectedRev: current._rev })
      return { ...next, _id: id, _rev: rev } as unknown as Stored<A>
    })
    return expected !== undefined ? attempt : attempt.pipe(
      Effect.retry({
        while: (error) => error._tag === "Conflict",
        schedule: Schedule.exponential("2 millis").pipe(Schedule.jittered),
        times: MERGE_ATTEMPTS
      })
    )
  }

  // delete itself fails with NotFound for a missing entity: no read first.
  const remove = (id: string) => db.delete(collection, id)

  return { create, list, get, update, remove } as const
}
