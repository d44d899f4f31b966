import { expect, type Vitest } from "@effect/vitest"
import { Effect, Either, Exit, Layer, Scope, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { DATA_STORE_ACCESS } from "../../src/domain/AccessStats.js"
import { DATA_STORE } from "../../src/domain/DataRecord.js"
import * as DataStore from "../../src/domain/DataStore.js"
import { recordId } from "../../src/domain/DataStoreIds.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { idProblem } from "../../src/ports/Validation.js"
import type { BaseUrl } from "../support/TestServer.js"

/** What the suite's layer provides to every case. */
export type Methods = Vitest.MethodsNonLive<DataStore.DataStore | DatabaseService | BaseUrl, true>


/** The access count flushed for a record: its statistics document's (stored apart from the record). */
export const storedCount = (db: DatabaseService["Type"], id: string) =>
  Effect.map(db.getMany(DATA_STORE_ACCESS, [id]), (found) => found.get(id)?.accessCount ?? 0)

export const ns = (label: string) => `${label}-${randomUUID().slice(0, 8)}`

export const KEYS = [
  "plain",
  "a/b/c.py",
  "日本語/ключ 🔑",
  "k".repeat(1024),
  "é".repeat(700), // 1,400 bytes of UTF-8
  "..",
  ".",
  "_design/x",
  "__name__",
  "%2F literally",
  "a?b#c;d e+f",
  "with:colons:too"
]

const tag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? r.left._tag : "success"))

/** Domain cases of the data store, over the DataStore and the port of one backend. */
export const domainCases = (it: Methods, timeout: number) => {
  it.effect("record ids are valid everywhere for any key, Gofannon's form where it can be", () =>
    Effect.sync(() => {
      for (const key of KEYS) {
        for (const [user, namespace] of [["u1", "default"], ["a:b", "c"], ["u1", "files:apache/repo"], ["u/x", "n"]]) {
          expect(idProblem(recordId(user!, namespace!, key))).toBeUndefined()
        }
      }
      // Gofannon's form, padding included, so migrated records keep their ids.
      expect(recordId("u1", "notes", "a/b/c")).toBe("u1:notes:YS9iL2M=")
      expect(recordId("u1", "notes", "ab")).toBe("u1:notes:YWI=")
      // A ':' in the user id would make the form ambiguous: ("a", "b:c") must differ from ("a:b", "c").
      expect(recordId("a", "b:c", "k")).not.toBe(recordId("a:b", "c", "k"))
      expect(recordId("a:b", "c", "k")).toMatch(/^sha256-/)
      expect(recordId("u1", "files:apache/repo", "k")).toMatch(/^sha256-/)
    }))

  it.effect("set, get, list keys and getMany with keys holding '/', Unicode and 1 KB", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("keys")
      for (const key of KEYS) yield* store.set("u1", namespace, { key, value: { key } }, "writer")
      for (const key of KEYS) expect((yield* store.get("u1", namespace, key)).value).toEqual({ key })
      expect(yield* store.listKeys("u1", namespace)).toEqual([...KEYS].sort())
      expect(yield* store.listKeys("u1", namespace, "a")).toEqual(["a/b/c.py", "a?b#c;d e+f"])
      const many = yield* store.getMany("u1", namespace, [...KEYS, "missing"])
      expect(many.map((r) => r.key)).toEqual(KEYS)
      const record = yield* store.get("u1", namespace, "a/b/c.py")
      expect(record).toMatchObject({
        userId: "u1",
        namespace,
        key: "a/b/c.py",
        metadata: {},
        createdByAgent: "writer",
        lastAccessedByAgent: "writer",
        accessCount: 0
      })
      expect(typeof record._rev).toBe("string")
      expect(yield* tag(store.get("u1", namespace, "x".repeat(1501)))).toBe("InvalidRecord")
      expect(yield* tag(store.get("u1", namespace, ""))).toBe("InvalidRecord")
      expect(yield* tag(store.get("u1", namespace, "\ud800"))).toBe("InvalidRecord")
      expect(yield* tag(store.get("u1", "", "k"))).toBe("InvalidRecord")
    }), timeout)

  it.effect("a namespace of 1,499 bytes is listed, paged and cleared; one of 1,500 is refused (Firestore cannot query on it)", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("long").padEnd(1499, "n")
      yield* store.set("u1", namespace, { key: "k", value: 1 })
      expect(yield* store.listKeys("u1", namespace)).toEqual(["k"])
      expect((yield* store.page("u1", namespace, { limit: 5 })).records.map((r) => r.key)).toEqual(["k"])
      expect(yield* store.clear("u1", namespace)).toBe(1)
      expect(yield* tag(store.set("u1", `${namespace}n`, { key: "k", value: 1 }))).toBe("InvalidRecord")
    }), timeout)

  it.effect("set keeps creation fields and merges metadata; _rev makes it compare-and-set", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("cas")
      const first = yield* store.set("u1", namespace, { key: "k", value: 1, metadata: { a: 1 } }, "creator")
      const second = yield* store.set("u1", namespace, { key: "k", value: 2, metadata: { b: 2 } })
      expect(second).toMatchObject({ value: 2, metadata: { a: 1, b: 2 }, createdByAgent: "creator", createdAt: first.createdAt })
      expect(second._rev).not.toBe(first._rev)
      const third = yield* store.set("u1", namespace, { key: "k", value: 3, _rev: second._rev })
      expect(third.value).toBe(3)
      expect(yield* tag(store.set("u1", namespace, { key: "k", value: 4, _rev: second._rev }))).toBe("Conflict")
      expect(yield* tag(store.set("u1", namespace, { key: "gone", value: 4, _rev: second._rev }))).toBe("Conflict")
      expect((yield* store.get("u1", namespace, "k")).value).toBe(3)
    }), timeout)

  it.effect("compare-and-set raced by 8 fibers retrying on Conflict loses no increment; without _rev every write lands", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("race")
      yield* store.set("u1", namespace, { key: "n", value: 0 })
      const increment = Effect.gen(function*() {
        const current = yield* store.get("u1", namespace, "n")
        yield* store.set("u1", namespace, { key: "n", value: (current.value as number) + 1, _rev: current._rev })
      }).pipe(Effect.retry({ while: (e) => e._tag === "Conflict", times: 100 }))
      yield* Effect.all(Array.from({ length: 8 }, () => increment), { concurrency: "unbounded" })
      expect((yield* store.get("u1", namespace, "n")).value).toBe(8)
      // Last writer wins, but each write merges its metadata onto what the others left.
      yield* Effect.all(
        Array.from({ length: 8 }, (_, i) => store.set("u1", namespace, { key: "m", value: i, metadata: { [`w${i}`]: true } })),
        { concurrency: "unbounded" }
      )
      expect(Object.keys((yield* store.get("u1", namespace, "m")).metadata).sort()).toEqual(
        Array.from({ length: 8 }, (_, i) => `w${i}`).sort()
      )
    }), timeout)

  it.effect("100 writers of one new key without _rev: every write lands and merges, none is a conflict", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("burst")
      const writes = yield* Effect.all(
        Array.from({ length: 100 }, (_, i) => Effect.either(store.set("u1", namespace, { key: "hot", value: i, metadata: { [`w${i}`]: true } }))),
        { concurrency: "unbounded" }
      )
      expect(writes.filter((w) => w._tag === "Left").map((w) => w._tag === "Left" ? w.left._tag : "")).toEqual([])
      expect(Object.keys((yield* store.get("u1", namespace, "hot")).metadata)).toHaveLength(100)
    }), timeout)

  it.effect("concurrent readers: 40 reads by an agent count exactly 40 after a flush, also while writers race the flush", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const db = yield* DatabaseService
      const namespace = ns("reads")
      const record = yield* store.set("u1", namespace, { key: "hot", value: "v" })
      yield* Effect.all(Array.from({ length: 40 }, () => store.get("u1", namespace, "hot", "reader")), { concurrency: "unbounded" })
      // Reads never write, inline or anywhere, before a flush.
      const before = yield* db.get(DATA_STORE, record._id)
      expect(before.accessCount).toBe(0)
      expect(yield* storedCount(db, record._id)).toBe(0)
      yield* store.flushAccess
      expect((yield* db.get(DATA_STORE, record._id))._rev).toBe(before._rev)
      expect(yield* storedCount(db, record._id)).toBe(40)
      expect(yield* store.get("u1", namespace, "hot")).toMatchObject({ accessCount: 40, lastAccessedByAgent: "reader" })
      // Reads, then a flush racing writes of the same record: the flush re-reads and re-applies.
      yield* Effect.all(Array.from({ length: 25 }, () => store.getMany("u1", namespace, ["hot"], "other")), { concurrency: "unbounded" })
      yield* Effect.all([
        store.flushAccess,
        ...Array.from({ length: 6 }, (_, i) => store.set("u1", namespace, { key: "hot", value: i }))
      ], { concurrency: "unbounded" })
      yield* store.flushAccess
      expect(yield* storedCount(db, record._id)).toBe(65)
      const all = yield* store.getMany("u1", namespace, ["hot"])
      expect(all[0]?.accessCount).toBe(65)
    }), timeout)

  it.effect("access counts are flushed after the delay, and at shutdown by the scope's finalizer", () =>
    Effect.gen(function*() {
      const db = yield* DatabaseService
      const namespace = ns("flush")
      const withDb = <A, E>(layer: Layer.Layer<A, E, DatabaseService>) => Layer.provide(layer, Layer.succeed(DatabaseService, db))
      // A short delay: the count lands without anyone asking.
      const quick = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(withDb(DataStore.layerWith({ delay: "100 millis" })))
        const store = context.unsafeMap.get(DataStore.DataStore.key) as DataStore.DataStoreShape
        const record = yield* store.set("u1", namespace, { key: "a", value: 1 })
        yield* store.get("u1", namespace, "a", "agent")
        let count: unknown = 0
        for (let i = 0; i < 100 && count !== 1; i++) {
          yield* Effect.sleep("100 millis")
          count = yield* storedCount(db, record._id)
        }
        return count
      }))
      expect(quick).toBe(1)
      // A delay of an hour: only the finalizer can have written these.
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(withDb(DataStore.layerWith({ delay: "1 hour" })), scope)
      const store = context.unsafeMap.get(DataStore.DataStore.key) as DataStore.DataStoreShape
      const record = yield* store.set("u1", namespace, { key: "b", value: 1 })
      yield* Effect.all(Array.from({ length: 7 }, () => store.get("u1", namespace, "b", "agent")), { concurrency: "unbounded" })
      expect(yield* storedCount(db, record._id)).toBe(0)
      yield* Scope.close(scope, Exit.void)
      expect(yield* storedCount(db, record._id)).toBe(7)
    }), timeout)

  it.effect("two users never see each other's records, whatever key, namespace or planted document", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const db = yield* DatabaseService
      const namespace = ns("iso")
      yield* store.set("alice", namespace, { key: "secret", value: "alice's" })
      expect(yield* tag(store.get("bob", namespace, "secret"))).toBe("RecordNotFound")
      expect(yield* store.getMany("bob", namespace, ["secret"])).toEqual([])
      expect(yield* store.listKeys("bob", namespace)).toEqual([])
      expect((yield* store.namespaceStats("bob", namespace)).recordCount).toBe(0)
      expect((yield* store.namespaces("bob")).namespaces.some((n) => n.namespace === namespace)).toBe(false)
      expect(yield* store.delete("bob", namespace, "secret")).toBe(false)
      expect(yield* store.deleteMany("bob", namespace, ["secret"])).toBe(1) // nothing of bob's was there
      expect(yield* store.clear("bob", namespace)).toBe(0)
      yield* store.set("bob", namespace, { key: "secret", value: "bob's" })
      expect((yield* store.get("alice", namespace, "secret")).value).toBe("alice's")
      expect((yield* store.get("bob", namespace, "secret")).value).toBe("bob's")
      // ("a", "b:c") and ("a:b", "c") are different places.
      yield* store.set("a", "b:c", { key: "k", value: "first" })
      yield* store.set("a:b", "c", { key: "k", value: "second" })
      expect((yield* store.get("a", "b:c", "k")).value).toBe("first")
      // A document planted under bob's id but holding alice's fields is not bob's.
      yield* db.save(DATA_STORE, recordId("bob", namespace, "planted"), { userId: "alice", namespace, key: "planted", value: 1 })
      expect(yield* tag(store.get("bob", namespace, "planted"))).toBe("RecordNotFound")
      expect(yield* store.getMany("bob", namespace, ["planted"])).toEqual([])
    }), timeout)

  it.effect("setMany, getMany, deleteMany in bulk; a stale _rev in a batch is that item's conflict", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("bulk")
      const first = yield* store.setMany("u1", namespace, Array.from({ length: 150 }, (_, i) => ({ key: `k/${i}`, value: i })), "bulk")
      expect(first.every((r) => r.ok)).toBe(true)
      const old = (yield* store.get("u1", namespace, "k/0"))._rev
      const again = yield* store.setMany("u1", namespace, [
        { key: "k/0", value: "new", _rev: old },
        { key: "k/1", value: "x", _rev: "1-bogus" },
        { key: "k/2", value: "lww" },
        { key: "k/new", value: "created" }
      ], "bulk")
      expect(again.map((r) => r.ok)).toEqual([true, false, true, true])
      expect(again[1]).toMatchObject({ key: "k/1", ok: false, error: "conflict" })
      const read = yield* store.getMany("u1", namespace, ["k/0", "k/1", "k/2", "k/new", "nope"])
      expect(read.map((r) => r.value)).toEqual(["new", 1, "lww", "created"])
      expect(read[0]!.createdByAgent).toBe("bulk")
      expect(yield* tag(store.setMany("u1", namespace, [{ key: "d", value: 1 }, { key: "d", value: 2 }]))).toBe("InvalidRecord")
      expect(yield* store.deleteMany("u1", namespace, Array.from({ length: 151 }, (_, i) => `k/${i}`))).toBe(151)
      expect(yield* store.listKeys("u1", namespace)).toEqual(["k/new"])
    }), timeout)

  it.effect("values over the limit are RecordTooLarge, unstorable ones InvalidRecord, on every backend", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("limits")
      expect(yield* tag(store.set("u1", namespace, { key: "big", value: "x".repeat(300 * 1024) }))).toBe("RecordTooLarge")
      expect(yield* tag(store.setMany("u1", namespace, [{ key: "ok", value: 1 }, { key: "big", value: "x".repeat(300 * 1024) }]))).toBe("RecordTooLarge")
      let deep: unknown = 1
      for (let i = 0; i < 25; i++) deep = { d: deep }
      expect(yield* tag(store.set("u1", namespace, { key: "deep", value: deep }))).toBe("InvalidRecord")
      // The reason names the part that is too deep.
      const deepMetadata = yield* Effect.flip(store.set("u1", namespace, { key: "md", value: 1, metadata: { m: deep } }))
      expect(deepMetadata).toMatchObject({ _tag: "InvalidRecord", reason: expect.stringMatching(/^the metadata of 'md' cannot be stored/) })
      expect(yield* tag(store.set("u1", namespace, { key: "huge", value: 1e200 }))).toBe("InvalidRecord")
      expect(yield* tag(store.set("u1", namespace, { key: "none", value: undefined }))).toBe("InvalidRecord")
      // Just under the limit is stored and read back whole.
      const fits = "y".repeat(190 * 1024)
      yield* store.set("u1", namespace, { key: "fits", value: fits })
      expect((yield* store.get("u1", namespace, "fits")).value).toBe(fits)
      expect(yield* store.listKeys("u1", namespace)).toEqual(["fits"])
    }), timeout)

  it.effect("a write that fits alone but not merged onto the stored metadata is RecordTooLarge naming the key, and stores nothing", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("merged")
      const stored = yield* store.set("u1", namespace, { key: "k", value: 1, metadata: { notes: "m".repeat(120 * 1024) } })
      const value = "v".repeat(100 * 1024)
      const tooLarge = { _tag: "RecordTooLarge", key: "k", message: expect.stringMatching(/^record 'k' is \d+ bytes of JSON, over the data store's limit/) }
      expect(yield* Effect.flip(store.set("u1", namespace, { key: "k", value }))).toMatchObject(tooLarge)
      expect(yield* Effect.flip(store.set("u1", namespace, { key: "k", value, _rev: stored._rev }))).toMatchObject(tooLarge)
      const [merged, fresh] = yield* store.setMany("u1", namespace, [{ key: "k", value }, { key: "new", value }])
      expect(merged).toEqual({ key: "k", ok: false, error: "failed", reason: expect.stringMatching(/^record 'k' is \d+ bytes of JSON/) })
      expect(fresh).toMatchObject({ key: "new", ok: true })
      const kept = yield* store.get("u1", namespace, "k")
      expect(kept.value).toBe(1)
      expect(kept._rev).toBe(stored._rev)
    }), timeout)

  it.effect("a large namespace: paged, streamed, counted and cleared in bulk; stats read only that namespace", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const namespace = ns("large")
      const other = ns("small")
      const total = 1_500
      for (let start = 0; start < total; start += 1000) {
        yield* store.setMany("u1", namespace, Array.from({ length: Math.min(1000, total - start) }, (_, i) => ({ key: `f/${start + i}`, value: start + i })), "loader")
      }
      yield* store.set("u1", other, { key: "only", value: "12345" }, "elsewhere")
      const seen = new Set<string>()
      let cursor: string | undefined
      for (let pages = 0; pages < 100; pages++) {
        const page = yield* store.page("u1", namespace, { limit: 400, cursor })
        for (const record of page.records) seen.add(record.key)
        if (page.nextCursor === null) break
        cursor = page.nextCursor
      }
      expect(seen.size).toBe(total)
      let streamed = 0
      yield* Stream.runForEach(store.records("u1", namespace), () => Effect.sync(() => void streamed++))
      expect(streamed).toBe(total)
      const stats = yield* store.namespaceStats("u1", namespace)
      expect(stats).toMatchObject({ namespace, recordCount: total, agents: ["loader"] })
      expect(stats.sizeBytes).toBeGreaterThan(total)
      expect(yield* store.namespaceStats("u1", other)).toMatchObject({ recordCount: 1, sizeBytes: 7, agents: ["elsewhere"] })
      const list = yield* store.namespaces("u1")
      const mine = list.namespaces.filter((n) => n.namespace === namespace || n.namespace === other)
      expect(mine.map((n) => n.recordCount).sort()).toEqual([1, total])
      expect(list.totalRecordCount).toBeGreaterThanOrEqual(total + 1)
      expect(yield* store.clear("u1", namespace)).toBe(total)
      expect(yield* store.namespaceStats("u1", namespace)).toEqual({ namespace, recordCount: 0, sizeBytes: 0, agents: [], updatedAt: null })
      expect((yield* store.namespaceStats("u1", other)).recordCount).toBe(1)
    }), timeout)
}
