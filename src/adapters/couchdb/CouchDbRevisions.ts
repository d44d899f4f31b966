import { Effect, Schedule } from "effect"
import type { CouchClient, CouchFailure } from "./CouchDbClient.js"
import type { Collections } from "./CouchDbCollections.js"
import { decode, KeyedRows } from "./CouchDbResponses.js"

/**
 * What a CouchDB revision looks like ("3-9f8e..."). Anything else cannot be a stored revision, and
 * CouchDB would reject the whole request with 400 rather than answer with a conflict.
 */
export const isRevision = (rev: string): boolean => /^[1-9][0-9]*-[0-9a-zA-Z]+$/.test(rev)

/** How often an unconditional write re-reads the revision after another writer got in between. */
export const RACE_ATTEMPTS = 10

/** A short, jittered pause between those attempts, so racing writers spread out. */
export const raceSchedule = Schedule.jittered(Schedule.exponential("2 millis", 1.5))

/**
 * The current revision of each id that has a live document, in one `_all_docs` call (it works
 * alike on CouchDB and pouchdb-server, where HEAD's ETag is not the revision). An unknown
 * database has no documents.
 */
export const currentRevisions = (
  client: CouchClient,
  collections: Collections,
  operation: string,
  collection: string,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyMap<string, string>, CouchFailure> =>
  ids.length === 0
    ? Effect.succeed(new Map())
    : collections.read(
      collection,
      client.request(operation, { method: "POST", db: collections.db(collection), path: "_all_docs", body: { keys: ids } }).pipe(
        Effect.flatMap(decode(operation, KeyedRows)),
        Effect.map(({ rows }) => {
          const revs = new Map<string, string>()
          for (const row of rows) {
            if (row.error === undefined && row.value !== undefined && row.value.deleted !== true) revs.set(row.key, row.value.rev)
          }
          return revs
        })
      ),
      () => Effect.succeed(new Map<string, string>())
    )
