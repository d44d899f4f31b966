import { Duration, Effect } from "effect"
import { randomUUID } from "node:crypto"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { Document, DocumentPage } from "../ports/Document.js"
import { Conflict, DatabaseError, InvalidDocument } from "../ports/Errors.js"
import { type InTurn, keptChanging, MERGE_BUDGET, mergeRetries, retryConflicts } from "./retryConflicts.js"

/**
 * Stored entities carry the port's `_id`/`_rev`, their own timestamps (absent on some foreign
 * documents) and who wrote them (a user's uid; absent on documents from before sign-in).
 */
type Stored<A> = A & {
  readonly _id: string
  readonly _rev: string
  readonly createdAt?: string
  readonly updatedAt?: string
  readonly createdBy?: string
  readonly updatedBy?: string
}

/**
 * Create/read/merge/replace/delete of one kind of entity in one collection. Entities docport
 * writes go through their schemas, so reading them back as A needs no decoding; `fromStored`
 * brings documents other writers made (Gofannon's own) into the same shape, cheaply when it has
 * nothing to do.
 */
export const makeEntityStore = <A extends object, U extends { readonly _rev?: string | undefined }>(
  db: DatabaseServiceShape,
  collection: string,
  options: {
    readonly fromStored?: ((doc: Document) => Document) | undefined
    readonly mergeBudget?: Duration.DurationInput | undefined
    /** Where a merge's retries run after a first conflict (a keyed lock: they take turns per id). */
    readonly inTurn?: ((id: string) => InTurn) | undefined
  } = {}
) => {
  const inTurn = options.inTurn
  const fromStored = options.fromStored ?? ((doc: Document) => doc)
  const mergeBudget = options.mergeBudget ?? MERGE_BUDGET
  const mergeSchedule = mergeRetries(mergeBudget)
  const asEntity = (doc: Document) => fromStored(doc) as unknown as Stored<A>

  // Create-only with a fresh UUID: a collision is near impossible, but it must not overwrite.
  const create = (input: A, by?: string) =>
    Effect.suspend(() => {
      const now = new Date().toISOString()
      const fields = Object.assign({}, input) as Record<string, unknown>
      fields.createdAt = now
      fields.updatedAt = now
      if (by !== undefined) fields.createdBy = fields.updatedBy = by
      // Stored in the shape it is read in, so that reading it back copies nothing. This attempt's
      // own object either way, to finish in place once stored.
      const body = fromStored(fields as Document) as Record<string, unknown>
      const id = randomUUID()
      return db.save(collection, id, body, { mode: "create" }).pipe(
        Effect.map(({ rev }) => {
          body._id = id
          body._rev = rev
          return asEntity(body as Document)
        }),
        // A timed-out create may land once the backend catches up (dynalite stopped and resumed
        // did store every one): the id lets the client look before it creates another.
        Effect.catchIf(
          (error): error is DatabaseError => error._tag === "DatabaseError" && error.unavailable,
          ({ cause, message, operation }) =>
            Effect.fail(new DatabaseError({ operation, message, unavailable: true, cause, unconfirmed: { collection, id } }))
        )
      )
    }).pipe(
      (attempt) => retryConflicts(attempt, { times: 3 }),
      Effect.catchTag("Conflict", () =>
        Effect.fail(new DatabaseError({ operation: "create", message: "could not find a free id" }))),
      // The id was this attempt's own and never reached the caller: naming it would name nothing.
      Effect.catchTag("InvalidDocument", (refused) => Effect.fail(new InvalidDocument({ collection: refused.collection, id: "", limit: refused.limit, reason: refused.reason })))
    )

  const list = Effect.map(db.listAll(collection), (docs) => docs.map(asEntity))

  /** The same entities as `list`, in the same order, page by page (the port's default page size). */
  const entityPage = (page: DocumentPage): DocumentPage<Stored<A>> => ({
    items: page.items.map(asEntity),
    next: page.next === undefined ? undefined : Effect.map(page.next, entityPage)
  })
  const pages = Effect.map(db.pages(collection), entityPage)

  const get = (id: string) => Effect.map(db.get(collection, id), asEntity)

  // Writes `next(current)` at the current revision. Without an expected `_rev` a lost race is
  // retried, so concurrent edits of different fields are all kept; with one, a stale `_rev` is
  // the caller's Conflict. Only then: a write that never got its turn within the budget is the
  // database being too busy, not the caller's conflict.
  const rewrite = (
    id: string,
    expected: string | undefined,
    by: string | undefined,
    next: (current: Record<string, unknown>) => Record<string, unknown>
  ) => {
    const attempt = Effect.flatMap(db.get(collection, id), (current) => {
      if (expected !== undefined && current._rev !== expected) return Effect.fail(new Conflict({ collection, id }))
      // `next` makes a new object: it is this write's own, to finish in place. Its `_id` and
      // `_rev`, if it keeps the current ones, are not part of what the port stores.
      const written = next(fromStored(current))
      written.updatedAt = new Date().toISOString()
      if (by !== undefined) written.updatedBy = by
      return Effect.map(db.save(collection, id, written, { expectedRev: current._rev }), ({ rev }) => {
        written._id = id
        written._rev = rev
        return asEntity(written as Document)
      })
    })
    if (expected !== undefined) return attempt
    return retryConflicts(attempt, { schedule: mergeSchedule }, inTurn && { inTurn: inTurn(id), within: mergeBudget }).pipe(
      keptChanging("update", `'${id}' in '${collection}'`, "update", mergeBudget)
    )
  }

  const update = (id: string, patch: U, by?: string) => {
    const { _rev: expected, ...changes } = patch
    return rewrite(id, expected, by, (current) => Object.assign({}, current, changes))
  }

  // A whole new version that keeps only when and by whom the entity was first created.
  const replace = (id: string, input: U, by?: string) => {
    const { _rev: expected, ...fields } = input
    return rewrite(id, expected, by, (current) => {
      const next: Record<string, unknown> = Object.assign({}, fields)
      if (current.createdAt !== undefined) next.createdAt = current.createdAt
      if (current.createdBy !== undefined) next.createdBy = current.createdBy
      return next
    })
  }

  // delete itself fails with NotFound for a missing entity: no read first.
  const remove = (id: string) => db.delete(collection, id)

  return { create, list, pages, get, update, replace, remove } as const
}
