import { Duration, Effect, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import { Conflict, DatabaseError } from "../ports/Errors.js"

/** Stored entities carry the port's `_id`/`_rev` and their own timestamps. */
type Stored<A> = A & { readonly _id: string; readonly _rev: string; readonly createdAt: string; readonly updatedAt: string }

/**
 * How long a merge without `_rev` keeps trying against concurrent writers. A budget of time, not
 * of attempts: how many attempts a burst of writers needs depends on the backend's round trip.
 */
const MERGE_BUDGET: Duration.DurationInput = "5 seconds"

// Jittered so that writers who collided do not collide again; at most 50 ms apart.
const mergeRetries = (budget: Duration.DurationInput) =>
  Schedule.exponential("2 millis").pipe(Schedule.jittered, Schedule.union(Schedule.spaced("50 millis")), Schedule.upTo(budget))

/**
 * Create/read/merge/delete of one kind of entity in one collection. Entities are written only
 * through their schemas, so reading them back as A is safe without decoding every list.
 */
export const makeEntityStore = <A extends object, U extends { readonly _rev?: string | undefined }>(
  db: DatabaseServiceShape,
  collection: string,
  options: { readonly mergeBudget?: Duration.DurationInput | undefined } = {}
) => {
  const asEntity = (doc: Document) => doc as unknown as Stored<A>

  // Create-only with a fresh UUID: a collision is near impossible, but it must not overwrite.
  const create = (input: A) =>
    Effect.gen(function*() {
      const now = new Date().toISOString()
      const body = { ...input, createdAt: now, updatedAt: now }
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
  // are all kept; with one, a stale `_rev` is the caller's Conflict. Only then: a merge that
  // never got its turn within the budget is the database being too busy, not the caller's conflict.
  const update = (id: string, patch: U) => {
    const { _rev: expected, ...changes } = patch
    const attempt = Effect.gen(function*() {
      const current = yield* db.get(collection, id)
      if (expected !== undefined && current._rev !== expected) return yield* new Conflict({ collection, id })
      const { _id, _rev, ...body } = current
      const next = { ...body, ...changes, updatedAt: new Date().toISOString() }
      const { rev } = yield* db.save(collection, id, next, { expectedRev: current._rev })
      return { ...next, _id: id, _rev: rev } as unknown as Stored<A>
    })
    if (expected !== undefined) return attempt
    const budget = options.mergeBudget ?? MERGE_BUDGET
    return attempt.pipe(
      Effect.retry({ while: (error) => error._tag === "Conflict", schedule: mergeRetries(budget) }),
      Effect.catchTag("Conflict", () =>
        Effect.fail(
          new DatabaseError({
            operation: "update",
            message: `'${id}' in '${collection}' kept changing for ${Duration.format(Duration.decode(budget))}; the update was not applied`,
            unavailable: true
          })
        ))
    )
  }

  // delete itself fails with NotFound for a missing entity: no read first.
  const remove = (id: string) => db.delete(collection, id)

  return { create, list, get, update, remove } as const
}
