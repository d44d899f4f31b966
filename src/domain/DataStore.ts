import { Chunk, Config, Context, Duration, Effect, Layer, Stream } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import { idProblem } from "../ports/Validation.js"
import { Conflict, type DatabaseError, type InvalidDocument, type InvalidName } from "../ports/Errors.js"
import { accessOf, DATA_STORE_ACCESS, mergeAccess, newCreation, targetOf } from "./AccessStats.js"
import { type AccessTrackerOptions, makeAccessTracker } from "./AccessTracker.js"
import {
  DATA_STORE,
  type DataRecord,
  InvalidRecord,
  type NamespaceList,
  type NamespaceStats,
  RecordNotFound,
  type RecordPage,
  type RecordTooLarge,
  type RecordWrite,
  type SetResult
} from "./DataRecord.js"
import { recordId } from "./DataStoreIds.js"
import { makeKeyedLock } from "./keyedLock.js"
import { keptChanging, MERGE_BUDGET, mergeRetries, retryConflicts } from "./retryConflicts.js"
import { jsonBytes, nameProblem, sizeProblem, valueProblem } from "./DataStoreLimits.js"
import { belongs, PAGE, pagesOf } from "./DataStorePages.js"
import { makeNamespaceStats } from "./DataStoreStats.js"

type Failure = DatabaseError | InvalidName
type WriteFailure = Failure | InvalidRecord | RecordTooLarge | InvalidDocument

export interface DataStoreShape {
  /** One record; with an agent, the read counts as that agent's access. */
  readonly get: (userId: string, namespace: string, key: string, agent?: string) => Effect.Effect<DataRecord, RecordNotFound | InvalidRecord | Failure>
  /** Creates or replaces the value (metadata merged); with `_rev`, only if the record is at that revision. */
  readonly set: (userId: string, namespace: string, write: RecordWrite, agent?: string) => Effect.Effect<DataRecord, Conflict | WriteFailure>
  /** True when there was a record to delete. */
  readonly delete: (userId: string, namespace: string, key: string) => Effect.Effect<boolean, InvalidRecord | Failure>
  /** The records found, in the order of the keys asked for. */
  readonly getMany: (userId: string, namespace: string, keys: ReadonlyArray<string>, agent?: string) => Effect.Effect<ReadonlyArray<DataRecord>, InvalidRecord | Failure>
  readonly setMany: (userId: string, namespace: string, writes: ReadonlyArray<RecordWrite>, agent?: string) => Effect.Effect<ReadonlyArray<SetResult>, WriteFailure>
  /** How many records are gone (a key without a record counts, as in Gofannon). */
  readonly deleteMany: (userId: string, namespace: string, keys: ReadonlyArray<string>) => Effect.Effect<number, InvalidRecord | Failure>
  /** Every key of the namespace starting with the prefix, sorted; values are never read. */
  readonly listKeys: (userId: string, namespace: string, prefix?: string) => Effect.Effect<ReadonlyArray<string>, InvalidRecord | Failure>
  /** Every record of the namespace, read page by page as the stream is pulled. */
  readonly records: (
    userId: string,
    namespace: string,
    options?: { readonly agent?: string | undefined; readonly cursor?: string | undefined }
  ) => Stream.Stream<DataRecord, InvalidRecord | Failure>
  /** One page of the namespace's records and where the next one starts. */
  readonly page: (userId: string, namespace: string, options: { readonly limit: number; readonly cursor?: string | undefined; readonly agent?: string | undefined }) => Effect.Effect<RecordPage, InvalidRecord | Failure>
  /** Deletes every record of the namespace, page by page in bulk; answers how many. */
  readonly clear: (userId: string, namespace: string) => Effect.Effect<number, InvalidRecord | Failure>
  readonly namespaces: (userId: string) => Effect.Effect<NamespaceList, Failure>
  /** Reads only that namespace; an unknown one has zero records. */
  readonly namespaceStats: (userId: string, namespace: string) => Effect.Effect<NamespaceStats, InvalidRecord | Failure>
  /** Writes pending access counts now (they are written within the flush delay anyway). */
  readonly flushAccess: Effect.Effect<void, Failure>
}

export class DataStore extends Context.Tag("docport/DataStore")<DataStore, DataStoreShape>() {}

const setRetries = mergeRetries(MERGE_BUDGET)

const text = (value: unknown): string | null => (typeof value === "string" ? value : null)

/**
 * A stored document as a record, with its access statistics (stored apart, see AccessStats.ts)
 * when there are any; fields Gofannon may have left out get its defaults.
 */
const toRecord = (doc: Document, stats?: Document | null): DataRecord => ({
  _id: doc._id,
  _rev: doc._rev,
  userId: String(doc.userId),
  namespace: String(doc.namespace),
  key: String(doc.key),
  value: doc.value ?? null,
  metadata: doc.metadata !== null && typeof doc.metadata === "object" && !Array.isArray(doc.metadata)
    ? doc.metadata as Record<string, unknown>
    : {},
  createdByAgent: text(doc.createdByAgent),
  createdAt: text(doc.createdAt),
  updatedAt: text(doc.updatedAt),
  ...mergeAccess(doc, accessOf(doc, stats))
})

const check = <E>(problem: E | undefined): Effect.Effect<void, E> => (problem === undefined ? Effect.void : Effect.fail(problem))

const checkNames = (namespace: string, keys: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    const problem = nameProblem("namespace", namespace) ?? keys.map((key) => nameProblem("key", key)).find((p) => p !== undefined)
    return check(problem)
  })

const encodeCursor = (id: string) => Buffer.from(id, "utf8").toString("base64url")
/** The id a cursor names, when encodeCursor made it: any other string would reach the backend as an id. */
const decodeCursor = (cursor: string): Effect.Effect<string, InvalidRecord> => {
  const id = Buffer.from(cursor, "base64url").toString("utf8")
  return id.length > 0 && encodeCursor(id) === cursor && idProblem(id) === undefined ? Effect.succeed(id) : Effect.fail(new InvalidRecord({
    reason: "the cursor is not one a page gave out: pass the previous page's nextCursor, or none for the first page"
  }))
}

export const make = (options: AccessTrackerOptions = {}) =>
  Effect.gen(function*() {
    const db = yield* DatabaseService
    // Once per process; the CouchDB adapter adds the paging index on its first paged query.
    yield* db.ensureIndex(DATA_STORE, ["userId", "namespace"])
    yield* db.ensureIndex(DATA_STORE_ACCESS, ["userId", "namespace"])
    const access = yield* makeAccessTracker(db, DATA_STORE_ACCESS, options)
    // 100 writers of one key without `_rev` on CouchDB took over 5 s of retries, one winner a
    // round; the losers retrying in turn, each reads and writes once more.
    const oneWriterAt = yield* makeKeyedLock

    /** The access statistics of these records, in one bulk read. */
    const statsOfRecords = (docs: ReadonlyArray<Document>) =>
      docs.length === 0 ? Effect.succeed(new Map<string, Document | null>()) : db.getMany(DATA_STORE_ACCESS, docs.map((d) => d._id))

    const withStats = (docs: ReadonlyArray<Document>) =>
      Effect.map(statsOfRecords(docs), (stats) => docs.map((doc) => toRecord(doc, stats.get(doc._id))))

    /** A new record's body, or the stored one's with the write applied. */
    const bodyFor = (userId: string, namespace: string, write: RecordWrite, current: Document | undefined, agent: string | undefined) => {
      const now = new Date().toISOString()
      const sizeBytes = jsonBytes(write.value)
      if (current === undefined) {
        return {
          userId,
          namespace,
          key: write.key,
          value: write.value,
          metadata: write.metadata ?? {},
          createdByAgent: agent ?? null,
          lastAccessedByAgent: agent ?? null,
          accessCount: 0,
          createdAt: now,
          creation: newCreation(now),
          updatedAt: now,
          lastAccessedAt: agent === undefined ? null : now,
          sizeBytes
        }
      }
      const { _id, _rev, ...stored } = current
      const metadata = toRecord(current).metadata
      return {
        ...stored,
        value: write.value,
        metadata: write.metadata == null ? metadata : { ...metadata, ...write.metadata },
        updatedAt: now,
        sizeBytes,
        ...(agent === undefined ? {} : { lastAccessedByAgent: agent, lastAccessedAt: now })
      }
    }

    const checkWrite = (userId: string, namespace: string, write: RecordWrite, agent: string | undefined) =>
      Effect.suspend(() => {
        const problem = valueProblem(write.key, write.value, write.metadata ?? {}) ?? sizeProblem(write.key, bodyFor(userId, namespace, write, undefined, agent))
        return check(problem)
      })

    const current = (userId: string, namespace: string, key: string) =>
      db.get(DATA_STORE, recordId(userId, namespace, key)).pipe(
        Effect.map((doc) => (belongs(doc, userId, namespace, key) ? doc : undefined)),
        Effect.catchTag("NotFound", () => Effect.succeed(undefined))
      )

    const get: DataStoreShape["get"] = (userId, namespace, key, agent) =>
      Effect.gen(function*() {
        yield* checkNames(namespace, [key])
        const id = recordId(userId, namespace, key)
        const [doc, stats] = yield* Effect.all([current(userId, namespace, key), db.getMany(DATA_STORE_ACCESS, [id])], { concurrency: 2 })
        if (doc === undefined) return yield* new RecordNotFound({ namespace, key })
        if (agent !== undefined) yield* access.record([targetOf(doc)], agent)
        return toRecord(doc, stats.get(id))
      }).pipe(Effect.withSpan("DataStore.get"))

    const set: DataStoreShape["set"] = (userId, namespace, write, agent) => {
      const id = recordId(userId, namespace, write.key)
      const conflict = new Conflict({ collection: DATA_STORE, id })
      const stored = Effect.all([current(userId, namespace, write.key), db.getMany(DATA_STORE_ACCESS, [id])], { concurrency: 2 })
      // Without `_rev`: merge onto the stored record at its revision (create-only for a new key),
      // retried when another writer got in between: the last writer wins without losing the
      // record's creation fields or metadata another writer merged. Access counts are stored
      // apart, so flushes never make this retry.
      const lastWriterWins = Effect.gen(function*() {
        const [doc, stats] = yield* stored
        const body = bodyFor(userId, namespace, write, doc, agent)
        // Checked again once merged: the stored metadata can take a record under the limit over it.
        if (doc !== undefined) yield* check(sizeProblem(write.key, body))
        const { rev } = yield* db.save(DATA_STORE, id, body, doc === undefined ? { mode: "create" } : { expectedRev: doc._rev })
        return toRecord({ ...body, _id: id, _rev: rev }, stats.get(id))
      }).pipe(
        // Ten attempts once ran out under 50 writers of one key on CouchDB, answering them 409,
        // which a client without `_rev` has no way to resolve: a time budget, as for entities.
        (attempt) => retryConflicts(attempt, { schedule: setRetries }, { inTurn: oneWriterAt(id), within: MERGE_BUDGET }),
        keptChanging("set", `record '${write.key.slice(0, 80)}' in '${namespace.slice(0, 80)}'`, "write")
      )
      const compareAndSet = (expected: string) =>
        Effect.gen(function*() {
          const [doc, stats] = yield* stored
          if (doc === undefined || doc._rev !== expected) return yield* conflict
          const body = bodyFor(userId, namespace, write, doc, agent)
          yield* check(sizeProblem(write.key, body))
          const { rev } = yield* db.save(DATA_STORE, id, body, { expectedRev: expected })
          return toRecord({ ...body, _id: id, _rev: rev }, stats.get(id))
        })
      return Effect.zipRight(
        Effect.zipRight(checkNames(namespace, [write.key]), checkWrite(userId, namespace, write, agent)),
        write._rev === undefined ? lastWriterWins : compareAndSet(write._rev)
      ).pipe(Effect.withSpan("DataStore.set"))
    }

    const del: DataStoreShape["delete"] = (userId, namespace, key) =>
      Effect.gen(function*() {
        yield* checkNames(namespace, [key])
        const id = recordId(userId, namespace, key)
        const deleted = yield* db.delete(DATA_STORE, id).pipe(
          Effect.as(true),
          Effect.catchTag("NotFound", () => Effect.succeed(false)),
          // Deleted at a revision nobody asked for: it was there, and now it is not.
          Effect.catchTag("Conflict", () => Effect.succeed(true))
        )
        // After the record: a failure in between leaves statistics without a record (never read,
        // and removed by clear), not a record that lost its counts.
        if (deleted) yield* db.deleteMany(DATA_STORE_ACCESS, [id])
        return deleted
      }).pipe(Effect.withSpan("DataStore.delete"))

    const getMany: DataStoreShape["getMany"] = (userId, namespace, keys, agent) =>
      Effect.gen(function*() {
        yield* checkNames(namespace, keys)
        if (keys.length === 0) return []
        const ids = keys.map((key) => recordId(userId, namespace, key))
        const unique = [...new Set(ids)]
        const [docs, stats] = yield* Effect.all([db.getMany(DATA_STORE, unique), db.getMany(DATA_STORE_ACCESS, unique)], { concurrency: 2 })
        const found = keys.flatMap((key, i) => {
          const doc = docs.get(ids[i]!)
          return belongs(doc, userId, namespace, key) ? [doc] : []
        })
        if (agent !== undefined && found.length > 0) yield* access.record(found.map(targetOf), agent)
        return found.map((doc) => toRecord(doc, stats.get(doc._id)))
      }).pipe(Effect.withSpan("DataStore.getMany"))

    const setMany: DataStoreShape["setMany"] = (userId, namespace, writes, agent) =>
      Effect.gen(function*() {
        yield* checkNames(namespace, writes.map((w) => w.key))
        const keys = new Set<string>()
        for (const write of writes) {
          if (keys.has(write.key)) return yield* new InvalidRecord({ reason: `key '${write.key.slice(0, 80)}' appears twice in one batch` })
          keys.add(write.key)
          yield* checkWrite(userId, namespace, write, agent)
        }
        // One bulk read for revisions and creation fields, one bulk write. Only writes with `_rev`
        // are conditional; the others replace whatever is stored (last writer wins), so on
        // DynamoDB they go into BatchWriteItem rather than one PutItem each. They cannot clobber
        // access counts, which are stored apart.
        const ids = writes.map((w) => recordId(userId, namespace, w.key))
        const stored = yield* db.getMany(DATA_STORE, ids)
        const results = new Map<string, SetResult>()
        const docs = []
        const toWrite: Array<RecordWrite> = []
        for (const [i, write] of writes.entries()) {
          const doc = stored.get(ids[i]!)
          const mine = belongs(doc, userId, namespace, write.key) ? doc : undefined
          if (write._rev !== undefined && mine?._rev !== write._rev) {
            results.set(write.key, { key: write.key, ok: false, error: "conflict", reason: "the record is at another revision or gone" })
            continue
          }
          const body = bodyFor(userId, namespace, write, mine, agent)
          const tooLarge = mine === undefined ? undefined : sizeProblem(write.key, body)
          if (tooLarge !== undefined) {
            results.set(write.key, { key: write.key, ok: false, error: "failed", reason: tooLarge.message })
            continue
          }
          toWrite.push(write)
          docs.push({ ...body, _id: ids[i]!, ...(write._rev === undefined ? {} : { _rev: write._rev }) })
        }
        const saved = yield* db.saveMany(DATA_STORE, docs)
        for (const [i, result] of saved.entries()) {
          const write = toWrite[i]!
          if (result.ok) results.set(write.key, { key: write.key, ok: true, _rev: result.rev ?? "" })
          else {
            const reason = result.error === "conflict" && write._rev === undefined ? "other writers kept changing the record" : result.reason
            results.set(write.key, { key: write.key, ok: false, error: result.error === "conflict" ? "conflict" : "failed", reason })
          }
        }
        return writes.map((w) => results.get(w.key)!)
      }).pipe(Effect.withSpan("DataStore.setMany"))

    const deleteMany: DataStoreShape["deleteMany"] = (userId, namespace, keys) =>
      Effect.gen(function*() {
        yield* checkNames(namespace, keys)
        if (keys.length === 0) return 0
        const ids = keys.map((key) => recordId(userId, namespace, key))
        const results = yield* db.deleteMany(DATA_STORE, ids)
        yield* db.deleteMany(DATA_STORE_ACCESS, ids)
        return results.filter((r) => r.ok).length
      }).pipe(Effect.withSpan("DataStore.deleteMany"))

    const pages = pagesOf(db)
    const stats = makeNamespaceStats(db, pages)

    const mineOnly = (userId: string, namespace: string) => (doc: Document) => belongs(doc, userId, namespace)

    const records: DataStoreShape["records"] = (userId, namespace, { agent, cursor } = {}) =>
      Stream.unwrap(
        Effect.zipRight(
          checkNames(namespace, []),
          Effect.map(cursor === undefined ? Effect.succeed(undefined) : decodeCursor(cursor), (after) => pages({ userId, namespace }, undefined, after))
        )
      ).pipe(
        Stream.filter(mineOnly(userId, namespace)),
        Stream.mapChunksEffect((chunk) => {
          const docs = Chunk.toReadonlyArray(chunk)
          return Effect.zipRight(
            agent === undefined ? Effect.void : access.record(docs.map(targetOf), agent),
            Effect.map(withStats(docs), Chunk.unsafeFromArray)
          )
        })
      )

    const page: DataStoreShape["page"] = (userId, namespace, { agent, cursor, limit }) =>
      Effect.gen(function*() {
        yield* checkNames(namespace, [])
        const size = Math.max(1, Math.min(PAGE, Math.floor(limit)))
        const after = cursor === undefined ? undefined : yield* decodeCursor(cursor)
        const docs = yield* db.find(DATA_STORE, { userId, namespace }, { limit: size, after })
        const mine = docs.filter(mineOnly(userId, namespace))
        if (agent !== undefined && mine.length > 0) yield* access.record(mine.map(targetOf), agent)
        const last = docs.at(-1)
        return { records: yield* withStats(mine), nextCursor: docs.length < size || last === undefined ? null : encodeCursor(last._id) }
      }).pipe(Effect.withSpan("DataStore.page"))

    const listKeys: DataStoreShape["listKeys"] = (userId, namespace, prefix) =>
      Effect.zipRight(
        checkNames(namespace, []),
        pages({ userId, namespace }, ["userId", "namespace", "key"]).pipe(
          Stream.filter(mineOnly(userId, namespace)),
          Stream.map((doc) => String(doc.key)),
          Stream.filter((key) => prefix === undefined || key.startsWith(prefix)),
          Stream.runCollect,
          Effect.map((keys) => Chunk.toArray(keys).sort())
        )
      ).pipe(Effect.withSpan("DataStore.listKeys"))

    const clear: DataStoreShape["clear"] = (userId, namespace) =>
      Effect.zipRight(
        checkNames(namespace, []),
        // A page's last id still positions the next page after its document is gone.
        pages({ userId, namespace }, ["userId", "namespace"]).pipe(
          Stream.filter(mineOnly(userId, namespace)),
          Stream.grouped(PAGE),
          Stream.mapEffect((chunk) => db.deleteMany(DATA_STORE, Chunk.toReadonlyArray(chunk).map((d) => d._id))),
          Stream.runFold(0, (sum, results) => sum + results.filter((r) => r.ok).length),
          // Then the namespace's statistics, those of records deleted since their last flush too.
          Effect.zipLeft(
            pages({ userId, namespace }, ["userId", "namespace"], undefined, PAGE, DATA_STORE_ACCESS).pipe(
              Stream.filter(mineOnly(userId, namespace)),
              Stream.grouped(PAGE),
              Stream.mapEffect((chunk) => db.deleteMany(DATA_STORE_ACCESS, Chunk.toReadonlyArray(chunk).map((d) => d._id))),
              Stream.runDrain
            )
          )
        )
      ).pipe(Effect.withSpan("DataStore.clear"))

    const namespaces: DataStoreShape["namespaces"] = (userId) => stats.namespaces(userId).pipe(Effect.withSpan("DataStore.namespaces"))

    const namespaceStats: DataStoreShape["namespaceStats"] = (userId, namespace) =>
      Effect.zipRight(checkNames(namespace, []), stats.namespace(userId, namespace)).pipe(Effect.withSpan("DataStore.namespaceStats"))

    return {
      get,
      set,
      delete: del,
      getMany,
      setMany,
      deleteMany,
      listKeys,
      records,
      page,
      clear,
      namespaces,
      namespaceStats,
      flushAccess: access.flush
    } satisfies DataStoreShape
  })

/** The data store with its access counts flushed after DATA_STORE_FLUSH_DELAY (default 5 seconds) and at shutdown. */
export const layer = Layer.unwrapEffect(
  Effect.map(
    Config.duration("DATA_STORE_FLUSH_DELAY").pipe(Config.withDefault(Duration.seconds(5))),
    (delay) => Layer.scoped(DataStore, make({ delay }))
  )
)

export const layerWith = (options: AccessTrackerOptions) => Layer.scoped(DataStore, make(options))
