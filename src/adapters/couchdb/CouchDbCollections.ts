import { Effect } from "effect"
import type { CouchClient, CouchFailure } from "./CouchDbClient.js"
import { CouchStatus, hasStatus, recover } from "./CouchDbClient.js"

/** A 404 about the database rather than the document ("no_db_file" is CouchDB 1.x and pouchdb-server). */
export const isMissingDatabase = (failure: unknown): boolean =>
  failure instanceof CouchStatus && failure.status === 404 &&
  (failure.reason === "Database does not exist." || failure.reason === "no_db_file")

export interface Collections {
  /** The database holding a collection: the collection's name after the configured prefix. */
  readonly db: (collection: string) => string
  /**
   * Runs a write against the collection's database, creating the database on first use. If it
   * was deleted behind this process's back, it is created again and the write runs once more.
   */
  readonly write: <A, E>(
    operation: string,
    collection: string,
    write: Effect.Effect<A, E | CouchFailure>
  ) => Effect.Effect<A, E | CouchFailure>
  /** Runs a read; a missing database is not an error but `whenMissing` (an empty answer, NotFound...). */
  readonly read: <A, E, B, E2>(
    collection: string,
    read: Effect.Effect<A, E | CouchFailure>,
    whenMissing: () => Effect.Effect<B, E2>
  ) => Effect.Effect<A | B, E | E2 | CouchFailure>
  /** Runs `create` (which makes an index) once per database lifetime seen by this process. */
  readonly index: (
    operation: string,
    collection: string,
    key: string,
    create: Effect.Effect<unknown, CouchFailure>
  ) => Effect.Effect<void, CouchFailure>
}

/**
 * One CouchDB database per collection. Which databases exist (and which indexes they have) is
 * remembered, so that after the first write a request costs no extra round trip.
 */
export const makeCollections = (client: CouchClient, prefix: string): Collections => {
  const known = new Map<string, Set<string>>()
  const db = (collection: string) => prefix + collection

  // Suspended: whether the database is known must be decided when the effect runs, not when it is built.
  const ensure = (operation: string, name: string): Effect.Effect<void, CouchFailure> =>
    Effect.suspend(() =>
      known.has(name) ? Effect.void : client.request(operation, { method: "PUT", db: name }).pipe(
        // Another process (or fiber) created it first: just as good.
        recover(hasStatus(412), () => Effect.void),
        Effect.andThen(() => {
          if (!known.has(name)) known.set(name, new Set())
        })
      )
    )

  const forget = (name: string) => Effect.sync(() => known.delete(name))

  const write: Collections["write"] = (operation, collection, effect) =>
    Effect.zipRight(ensure(operation, db(collection)), effect).pipe(
      recover(isMissingDatabase, () =>
        Effect.zipRight(forget(db(collection)), Effect.zipRight(ensure(operation, db(collection)), effect)))
    )

  const read: Collections["read"] = (collection, effect, whenMissing) =>
    recover(isMissingDatabase, () => Effect.zipRight(forget(db(collection)), whenMissing()))(effect)

  const index: Collections["index"] = (operation, collection, key, create) =>
    Effect.suspend(() =>
      known.get(db(collection))?.has(key) === true
        ? Effect.void
        : write(operation, collection, create).pipe(Effect.andThen(() => {
          known.get(db(collection))?.add(key)
        }))
    )

  return { db, write, read, index }
}
