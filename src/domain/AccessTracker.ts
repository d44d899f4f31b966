import { Duration, Effect, Queue, type Scope } from "effect"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { BulkDocument } from "../ports/Document.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { AccessTarget } from "./AccessStats.js"

interface Pending {
  target: AccessTarget
  agent: string
  at: string
  count: number
}

export interface AccessTrackerOptions {
  /** Longest a read waits before its count is written (default 5 seconds). */
  readonly delay?: Duration.DurationInput | undefined
  /** Distinct records pending before a flush starts without waiting for the delay (default 5,000). */
  readonly maxPending?: number | undefined
}

export interface AccessTracker {
  /** Counts one read of each record by the agent: memory only, no request. */
  readonly record: (targets: ReadonlyArray<AccessTarget>, agent: string) => Effect.Effect<void>
  /** Writes every pending count now. */
  readonly flush: Effect.Effect<void, DatabaseError | InvalidName>
}

const CHUNK = 500
const ROUNDS = 5

/**
 * Access counts without a write per read: reads add to a map in memory; a background fiber writes
 * the map in bulk into the statistics collection (one getMany, then one saveMany conditional on
 * each revision and one create-only saveMany for records counted the first time, re-reading and
 * re-applying what lost a race) after at most `delay`, and the scope's finalizer writes what is
 * left. Counts a flush could not write go back into the map for the next one, so none is lost
 * while the database answers.
 */
export const makeAccessTracker = (
  db: DatabaseServiceShape,
  collection: string,
  options: AccessTrackerOptions = {}
): Effect.Effect<AccessTracker, never, Scope.Scope> =>
  Effect.gen(function*() {
    const delay = Duration.decode(options.delay ?? "5 seconds")
    const maxPending = options.maxPending ?? 5000
    let pending = new Map<string, Pending>()
    const wake = yield* Queue.sliding<void>(1)
    const lock = yield* Effect.makeSemaphore(1)

    const putBack = (entries: Iterable<[string, Pending]>) => {
      for (const [id, entry] of entries) {
        const current = pending.get(id)
        if (current === undefined) pending.set(id, entry)
        else if (current.target.creation !== entry.target.creation) {
          // The record was created again in between: only the reads of the later creation count.
          if (entry.target.creation > current.target.creation) pending.set(id, entry)
        } else {
          current.count += entry.count
          if (entry.at > current.at) Object.assign(current, { agent: entry.agent, at: entry.at })
        }
      }
    }

    const record: AccessTracker["record"] = (targets, agent) =>
      Effect.suspend(() => {
        const wasEmpty = pending.size === 0
        const at = new Date().toISOString()
        putBack(targets.map((target) => [target.id, { target, agent, at, count: 1 }] as [string, Pending]))
        return wasEmpty || pending.size >= maxPending ? Queue.offer(wake, undefined) : Effect.void
      })

    const fresh = (id: string, entry: Pending, rev?: string): BulkDocument => ({
      _id: id,
      ...(rev === undefined ? {} : { _rev: rev }),
      userId: entry.target.userId,
      namespace: entry.target.namespace,
      recordCreation: entry.target.creation,
      accessCount: entry.count,
      lastAccessedAt: entry.at,
      lastAccessedByAgent: entry.agent
    })

    // One chunk: re-read and re-apply whatever lost a race with another writer, a few times. What
    // is not written (a failed call, or conflicts to the end) goes back for the next flush.
    const applyChunk = (entries: ReadonlyArray<[string, Pending]>) => {
      let left = new Map(entries)
      return Effect.gen(function*() {
        for (let round = 0; round < ROUNDS && left.size > 0; round++) {
          const docs = yield* db.getMany(collection, [...left.keys()])
          const updates: Array<BulkDocument> = []
          const creates: Array<BulkDocument> = []
          for (const [id, entry] of left) {
            const doc = docs.get(id)
            if (doc == null) {
              creates.push(fresh(id, entry))
            } else if (doc.recordCreation === entry.target.creation) {
              const count = typeof doc.accessCount === "number" ? doc.accessCount : 0
              const newer = typeof doc.lastAccessedAt !== "string" || doc.lastAccessedAt <= entry.at
              updates.push({
                ...doc,
                accessCount: count + entry.count,
                ...(newer ? { lastAccessedByAgent: entry.agent, lastAccessedAt: entry.at } : {})
              })
            } else if (entry.target.creation > String(doc.recordCreation ?? "")) {
              // Left over from an earlier record under this id.
              updates.push(fresh(id, entry, doc._rev))
            }
            // Else the reads were of a record deleted and created again since: they count for nobody.
          }
          const [updated, created] = yield* Effect.all([
            updates.length === 0 ? Effect.succeed([]) : db.saveMany(collection, updates),
            creates.length === 0 ? Effect.succeed([]) : db.saveMany(collection, creates, { mode: "create" })
          ], { concurrency: 2 })
          const retry = new Map<string, Pending>()
          for (const result of [...updated, ...created]) {
            if (result.ok) continue
            if (result.error === "conflict") retry.set(result.id, left.get(result.id)!)
            else yield* Effect.logWarning(`access count of a data-store record not written: ${result.reason}`)
          }
          left = retry
        }
      }).pipe(Effect.ensuring(Effect.sync(() => putBack(left))))
    }

    const flush: AccessTracker["flush"] = lock.withPermits(1)(
      Effect.suspend(() => {
        if (pending.size === 0) return Effect.void
        const taken = [...pending]
        pending = new Map()
        const chunks = Array.from({ length: Math.ceil(taken.length / CHUNK) }, (_, i) => taken.slice(i * CHUNK, (i + 1) * CHUNK))
        let done = 0
        return Effect.forEach(chunks, (chunk) => Effect.tap(applyChunk(chunk), () => void done++), { discard: true }).pipe(
          // The chunks after a failed one wait for the next flush too.
          Effect.tapError(() => Effect.sync(() => putBack(chunks.slice(done + 1).flat())))
        )
      })
    ).pipe(Effect.uninterruptible, Effect.withSpan("DataStore.flushAccess"))

    const loop = Queue.take(wake).pipe(
      Effect.zipRight(Effect.suspend(() => (pending.size >= maxPending ? Effect.void : Effect.sleep(delay)))),
      Effect.zipRight(flush),
      Effect.catchAll((error) => Effect.logWarning(`data-store access counts not written yet: ${error.message}`)),
      Effect.forever
    )

    // Added before the loop is forked, so it runs after the loop is interrupted: the last counts go out.
    yield* Effect.addFinalizer(() =>
      flush.pipe(
        Effect.catchAll((error) =>
          Effect.logError(`data-store access counts of ${pending.size} records lost at shutdown: ${error.message}`))
      )
    )
    yield* Effect.forkScoped(loop)
    return { record, flush }
  })
